import type { Conversation } from './types';

/** "Until I turn it back on": a time no one reaches (year 9999), so the server's "muted until" covers it. */
export const MUTED_FOREVER = Date.UTC(9999, 11, 31);

export function isMuted(c: Pick<Conversation, 'mutedUntil'>, now = Date.now()): boolean {
  return c.mutedUntil !== null && c.mutedUntil > now;
}
