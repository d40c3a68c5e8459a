export interface BackoffOptions {
  /** @default 100 */
  initialMs: number;
  /** @default 5000 */
  maxMs: number;
}

/** Full-jitter exponential backoff: a random delay in [0, min(max, initial * 2^attempt)]. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.max(options.initialMs / 2, Math.floor(random() * ceiling));
}
