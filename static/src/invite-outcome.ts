import type { GroupInvitation, GroupJoinRequest } from '@parley/protocol';

/** What became of the people asked into a group (the answer of `group:invite`, or of `group:create` read the same way). */
export interface InviteOutcome {
  /** Members now. */
  added: readonly string[];
  /** Waiting for an admin (the group approves new members). */
  requests: readonly Pick<GroupJoinRequest, 'user'>[];
  /** Waiting for their own consent. */
  invitations: readonly Pick<GroupInvitation, 'inviteeId'>[];
}

/** "Ann", "Ann and Bob", "Ann, Bob and Cy", "Ann, Bob and 3 others". */
export function listNames(names: readonly string[], shown = 3): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length > shown) return `${names.slice(0, shown - 1).join(', ')} and ${names.length - shown + 1} others`;
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}

/**
 * Tells who is in now and who was only asked: "Bob was added. Carol will
 * join when they accept." `nameOf` gives a person's shown name by id.
 */
export function describeInviteOutcome(outcome: InviteOutcome, nameOf: (userId: string) => string): string {
  const parts: string[] = [];
  const { added, requests, invitations } = outcome;
  if (added.length > 0) parts.push(`${listNames(added.map(nameOf))} ${added.length === 1 ? 'was' : 'were'} added.`);
  if (invitations.length > 0) parts.push(`${listNames(invitations.map((i) => nameOf(i.inviteeId)))} will join when they accept.`);
  if (requests.length > 0) {
    parts.push(`${listNames(requests.map((r) => r.user.displayName))} ${requests.length === 1 ? 'waits' : 'wait'} for an admin's approval.`);
  }
  return parts.length > 0 ? parts.join(' ') : 'Everyone you picked is in the group already.';
}
