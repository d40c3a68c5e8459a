import type { Conversation } from './types';

/** "Until I turn it back on": a time no one reaches (year 9999), so the server's "muted until" covers it. */
export const MUTED_FOREVER = Date.UTC(9999, 11, 31);

export function isMuted(c: Pick<Conversation, 'mutedUntil'>, now = Date.now()): boolean {
  return c.mutedUntil !== null && c.mutedUntil > now;
}

/**
 * What a conversation adds to the unread total (tab title, "Chats" badge):
 * nothing while muted or set to notify nothing, only a mention when set to
 * mentions only — the same rules pushes follow.
 */
export function unreadTowardTotal(c: Pick<Conversation, 'unread' | 'mentioned' | 'notify' | 'mutedUntil'>, now = Date.now()): number {
  if (c.notify === 'none' || isMuted(c, now)) return 0;
  if (c.notify === 'mentions') return c.mentioned ? c.unread : 0;
  return c.unread;
}
