import type { ComponentChildren } from 'preact';
import type { User } from '@parley/protocol';
import { Avatar } from './avatar';

interface Props {
  user: Pick<User, 'id' | 'displayName' | 'avatarUrl'>;
  /** The muted second line: @username, a note, presence. */
  detail: ComponentChildren;
  /** Shown as a presence dot when given. */
  online?: boolean;
  /** A group's row: the group avatar style. */
  group?: boolean;
  /** data-* attributes the row carries (tests find rows by them). */
  data?: Record<`data-${string}`, string>;
  /** The row's action buttons. */
  children?: ComponentChildren;
}

/** One person (or group) in a list: avatar, name, a detail line and actions. */
export function PersonRow({ user, detail, online, group, data, children }: Props) {
  return (
    <li class="person" {...data}>
      <Avatar id={user.id} name={user.displayName} url={user.avatarUrl} online={online} group={group} />
      <span class="person-body">
        <span class="person-name">{user.displayName}</span>
        <span class="muted">{detail}</span>
      </span>
      <span class="actions">{children}</span>
    </li>
  );
}
