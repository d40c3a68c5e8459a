import type { Conversation } from './types';

/** Pinned chats first (the latest pin first), then by latest activity. */
export function listOrder(a: Conversation, b: Conversation): number {
  if (a.pinnedAt !== null || b.pinnedAt !== null) {
    if (a.pinnedAt === null) return 1;
    if (b.pinnedAt === null) return -1;
    if (a.pinnedAt !== b.pinnedAt) return b.pinnedAt - a.pinnedAt;
  }
  return b.activityAt - a.activityAt;
}
