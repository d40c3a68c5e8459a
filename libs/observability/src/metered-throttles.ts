import type { ParleyMetrics, RoleLabels } from './parley-metrics';
import { methodNames, timedPort } from './timed-port';

/**
 * What metering needs of a throttle: the domain's Throttle, written out
 * structurally so this library stays below the domain.
 */
export interface MeterableThrottle {
  consume(...args: never[]): Promise<{ ok: boolean }>;
}

/** Makes throttles from a spec with a name (the domain's ThrottleFactory). */
export interface ThrottleMaker<S extends { name: string }, T extends MeterableThrottle> {
  create(spec: S): T;
}

export interface MeteredThrottlesOptions {
  /** The counters live in Redis: time each call in parley_redis_operation_duration_seconds as `<throttle name>.<method>`. @default false */
  timeRedis?: boolean;
  /**
   * The `limit` label a throttle's refusals are counted under in
   * parley_rate_limited_total, by throttle name (names are fixed in code, so
   * the label is bounded); undefined: its refusals are not counted here.
   * @default the throttle's name
   */
  limitOf?: (throttleName: string) => string | undefined;
}

/**
 * Every process's throttles, metered one way (the gateway's login and
 * registration limits, the IM node's per-user limits): each refused consume
 * counted in parley_rate_limited_total{limit}, and each call timed when the
 * counters live in Redis. Label children are bound once per throttle, at
 * create(); refunds, peeks and resets pass through untouched.
 */
export function meteredThrottles<S extends { name: string }, T extends MeterableThrottle>(
  factory: ThrottleMaker<S, T>,
  metrics: ParleyMetrics,
  role: RoleLabels,
  options: MeteredThrottlesOptions = {},
): ThrottleMaker<S, T> {
  return {
    create(spec: S): T {
      const created = factory.create(spec);
      const throttle = options.timeRedis ? timedPort(created, metrics.redisDuration, role, { operationPrefix: `${spec.name}.` }) : created;
      const limit = options.limitOf ? options.limitOf(spec.name) : spec.name;
      return limit === undefined ? throttle : countRefusals(throttle, metrics.rateLimited.labels({ ...role, limit }));
    },
  };
}

/** The throttle with each refused consume counted; its other methods run on the throttle itself. */
function countRefusals<T extends MeterableThrottle>(throttle: T, refused: { inc(): void }): T {
  const counted = Object.create(throttle) as Record<string, unknown>;
  for (const name of methodNames(throttle)) {
    const method = (throttle as unknown as Record<string, (...args: unknown[]) => unknown>)[name];
    if (method) counted[name] = (...args: unknown[]): unknown => method.apply(throttle, args);
  }
  const consume = throttle.consume as (...args: unknown[]) => Promise<{ ok: boolean }>;
  counted.consume = async (...args: unknown[]): Promise<{ ok: boolean }> => {
    const decision = await consume.apply(throttle, args);
    if (!decision.ok) refused.inc();
    return decision;
  };
  return counted as unknown as T;
}
