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
