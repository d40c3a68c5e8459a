import type { Socket } from 'socket.io-client';
import type { SessionSpec } from './protocol';

/** A command's acknowledgement as the load generator reads it. */
export type AckBody = { ok: true } | { ok: false; error: { code: string } };

/** One client session a worker holds. */
export interface Session {
  spec: SessionSpec;
  socket?: Socket;
  /** Highest seq seen per conversation, for sync after a reconnect. */
  seqs: Record<string, number>;
}

/** Counts one more `code` in an error tally. */
export function bump(errors: Record<string, number>, code: string): void {
  errors[code] = (errors[code] ?? 0) + 1;
}

/** Runs `fn` over `items`, at most `concurrency` at once. */
export async function boundedAll<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  // One queue for all the lanes: each takes the next item when it is free.
  const queue = items.values();
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    for (const item of queue) await fn(item);
  });
  await Promise.all(lanes);
}
