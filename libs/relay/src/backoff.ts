export interface BackoffOptions {
  /** Delay before the first retry. @default 100 */
  initialBackoffMs?: number;
  /** Upper bound of any delay. @default 5_000 */
  maxBackoffMs?: number;
}

export const DEFAULT_BACKOFF = { initialBackoffMs: 100, maxBackoffMs: 5_000 } as const;

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random,
 * so nodes that lost the same gateway do not all come back in the same instant.
 * `attempt` counts failures since the last success, starting at 0.
 */
export function backoffDelay(attempt: number, options: Required<BackoffOptions>, random: () => number = Math.random): number {
  const step = Math.min(options.maxBackoffMs, options.initialBackoffMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + (step / 2) * random());
}
