/** Rooms and conversation ids are derived, never chosen by clients. */
export type RoomName = `user:${string}` | `group:${string}`;

export const userRoom = (userId: string): `user:${string}` => `user:${userId}`;
export const groupRoom = (groupId: string): `group:${string}` => `group:${groupId}`;

/** A direct conversation's id is stable for the pair, whatever the order. */
export function directConversationId(a: string, b: string): string {
  return a < b ? `d:${a}:${b}` : `d:${b}:${a}`;
}

export const groupConversationId = (groupId: string): string => `g:${groupId}`;

export type ConversationRef =
  | { type: 'direct'; userIds: [string, string] }
  | { type: 'group'; groupId: string };

/** Parses a conversation id back to what it names; null for anything malformed. */
export function parseConversationId(id: string): ConversationRef | null {
  const parts = id.split(':');
  if (parts[0] === 'd' && parts.length === 3 && parts[1] && parts[2] && parts[1] < parts[2]) {
    return { type: 'direct', userIds: [parts[1], parts[2]] };
  }
  if (parts[0] === 'g' && parts.length === 2 && parts[1]) {
    return { type: 'group', groupId: parts[1] };
  }
  return null;
}
