export interface BackoffOptions {
  /** Delay before the first retry. @default 100 */
  initialBackoffMs?: number;
  /** Upper bound of any delay. @default 5_000 */
  maxBackoffMs?: number;
}

export const DEFAULT_BACKOFF = { initialBackoffMs: 100, maxBackoffMs: 5_000 } as const;
