import type { Histogram } from 'prom-client';

/** The label names timedPort sets on each observation; the histogram must carry them. */
type TimedLabel = 'operation' | 'result';

export interface TimedPortOptions {
  /** Put before each method name in `operation` (throttles: `user-send.consume`). @default '' */
  operationPrefix?: string;
}

/** A histogram child: observe() only, labels already bound. */
interface Timer {
  observe(seconds: number): void;
}

/**
 * The port with each of its methods timed: a call that returns a promise
 * records its duration in `histogram` with `operation` (the method name) and
 * `result` (ok, error) beside `labels`; a method that returns anything else
 * is passed through untimed. The wrappers are made once, here, and their
 * label children at a method's first call; a call then allocates only its
 * promise continuation. Properties
 * that are not functions are read through from the target (the result's
 * prototype), and methods run with the target as `this`.
 */
export function timedPort<T extends object, L extends string>(
  target: T,
  histogram: Histogram<L | TimedLabel>,
  labels: Readonly<Partial<Record<L, string>>>,
  options: TimedPortOptions = {},
): T {
  const timed = Object.create(target) as Record<string, unknown>;
  const prefix = options.operationPrefix ?? '';
  for (const name of methodNames(target)) {
    const method = (target as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
    const operation = `${prefix}${name}`;
    // Bound on first use: a method never called (or never async) adds no series.
    let timers: [ok: Timer, failed: Timer] | undefined;
    const bind = (): [Timer, Timer] => [
      histogram.labels({ ...labels, operation, result: 'ok' } as Partial<Record<L | TimedLabel, string>>),
      histogram.labels({ ...labels, operation, result: 'error' } as Partial<Record<L | TimedLabel, string>>),
    ];
    timed[name] = function timedMethod(...args: unknown[]): unknown {
      const startedAt = performance.now();
      const out = method.apply(target, args);
      if (!isPromise(out)) return out;
      timers ??= bind();
      return observed(out, startedAt, timers[0], timers[1]);
    };
  }
  return timed as T;
}

function observed(promise: Promise<unknown>, startedAt: number, ok: Timer, failed: Timer): Promise<unknown> {
  return promise.then(
    (value) => {
      ok.observe((performance.now() - startedAt) / 1000);
      return value;
    },
    (err: unknown) => {
      failed.observe((performance.now() - startedAt) / 1000);
      throw err;
    },
  );
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Function-valued properties of the object and its class chain (not Object's own, not the constructor). */
export function methodNames(target: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = target; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name === 'constructor' || names.has(name)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(o, name);
      // Getters are read through, never called here.
      if (descriptor && typeof descriptor.value === 'function') names.add(name);
    }
  }
  return [...names];
}
