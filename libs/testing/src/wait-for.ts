/** How long and how often {@link waitFor} looks. */
export interface WaitOptions {
  /** Give up after this long. @default 15_000 */
  timeoutMs?: number;
  /** Pause between two looks. @default 50 */
  intervalMs?: number;
  /**
   * Count a read that throws as "not yet" (a server restarting, a file not yet
   * written) and name the last error if time runs out. Off, a throw fails at once.
   * @default false
   */
  retryErrors?: boolean;
}

/**
 * Polls `read` until `done` holds for its value and returns that value; fails
 * naming `what` and the last value seen. Tests wait for conditions, never for time.
 */
export function waitFor<T>(what: string, read: () => T | Promise<T>, done: (value: T) => boolean, options?: WaitOptions): Promise<T>;
/** Polls `read` until it returns something other than `undefined`, and returns that. */
export function waitFor<T>(what: string, read: () => T | undefined | Promise<T | undefined>, options?: WaitOptions): Promise<T>;
export async function waitFor<T>(
  what: string,
  read: () => T | undefined | Promise<T | undefined>,
  doneOrOptions?: ((value: T) => boolean) | WaitOptions,
  maybeOptions?: WaitOptions,
): Promise<T> {
  const done = typeof doneOrOptions === 'function' ? doneOrOptions : undefined;
  const { timeoutMs = 15_000, intervalMs = 50, retryErrors = false } = (typeof doneOrOptions === 'function' ? maybeOptions : doneOrOptions) ?? {};
  const deadline = Date.now() + timeoutMs;
  let last: { value: T | undefined } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await read();
      last = { value };
      // Without `done`, undefined means "not yet"; with it, `done` decides (a value may legitimately be undefined).
      if (done ? done(value as T) : value !== undefined) return value as T;
    } catch (error) {
      if (!retryErrors) throw error;
      last = { error };
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms${describe(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(last: { value: unknown } | { error: unknown } | undefined): string {
  if (last === undefined) return '';
  if ('error' in last) return `; last error: ${String(last.error)}`;
  if (last.value === undefined) return '';
  try {
    return `; last ${JSON.stringify(last.value)}`;
  } catch {
    return `; last ${String(last.value)}`;
  }
}
