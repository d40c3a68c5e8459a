import { ParleyError } from '@parley/protocol';
import type { SocialStore, UserRecord } from '../ports';

/**
 * May `senderId` talk to `recipient` directly? Blocks in either direction
 * forbid it; otherwise friends always may, strangers only when the
 * recipient's DM policy is `anyone`. One store read per call; returns the recipient.
 */
export async function assertMayMessage(store: SocialStore, senderId: string, recipientId: string): Promise<UserRecord> {
  const context = await store.getDirectContext(senderId, recipientId);
  if (!context) throw new ParleyError('NOT_FOUND', 'user not found');
  const { recipient, relation } = context;
  if (relation.blockedBy) throw new ParleyError('FORBIDDEN', 'this user does not accept your messages');
  if (relation.blocking) throw new ParleyError('FORBIDDEN', 'you blocked this user; unblock them first');
  if (!relation.friends && recipient.dmPolicy !== 'anyone') {
    throw new ParleyError('FORBIDDEN', 'this user only accepts direct messages from friends');
  }
  return recipient;
}

/** Refuses when any of `userIds` has blocked `actorId` (adding them to a group, for instance). */
export async function assertNotBlockedBy(store: SocialStore, actorId: string, userIds: readonly string[]): Promise<void> {
  const blockers = await store.listBlockersAmong(actorId, userIds);
  if (blockers.length > 0) throw new ParleyError('FORBIDDEN', `user ${blockers[0]} does not accept this from you`);
}
