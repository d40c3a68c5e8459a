export interface BackoffOptions {
  /** Step of the first retry. @default 100 */
  initialMs: number;
  /** Upper bound of any step. @default 5000 */
  maxMs: number;
}

/** The one place the default backoff is written. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ initialMs: 100, maxMs: 5_000 });

/**
 * Exponential backoff with "equal jitter": the step doubles per attempt up to
 * `maxMs`, and the delay is half the step fixed plus half random, so peers
 * that failed together (a node's clients, a fleet of nodes or gateways) do not
 * come back in the same instant. `attempt` counts failures since the last
 * success, starting at 0.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const step = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(step / 2 + (step / 2) * random());
}
