import type { User } from '@parley/protocol';
import type { UserRecord } from '../ports';

/** The public view of a user: never the password hash. */
export function toUserView(record: UserRecord): User {
  const user: User = { id: record.id, username: record.username, displayName: record.displayName };
  if (record.avatarUrl) user.avatarUrl = record.avatarUrl;
  if (record.bio) user.bio = record.bio;
  return user;
}
