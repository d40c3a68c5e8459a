import { useState } from 'preact/hooks';
import type { AdminUser } from '@parley/protocol';
import { useDebouncedSearch } from '../use-debounced-search';
import type { UserSearch } from './console-state';
import type { ConsoleStore } from './console-store';

interface Props {
  store: ConsoleStore;
  search: UserSearch;
  /** An action is being confirmed or runs: the buttons wait. */
  busy: boolean;
}

/** Find a user, then disconnect, suspend or lift a suspension (each confirmed first). */
export function UserAdmin({ store, search, busy }: Props) {
  const [q, setQ] = useState('');
  useDebouncedSearch(
    q,
    (query) => void store.search(query),
    () => void store.search(''),
  );
  return (
    <section class="ops-card" aria-labelledby="ops-users-title" data-testid="user-admin">
      <h2 id="ops-users-title">Users</h2>
      <label>
        Find a user
        <input type="search" placeholder="Username or display name" value={q} onInput={(e) => setQ(e.currentTarget.value)} data-testid="admin-user-search" maxLength={64} />
      </label>
      {search.error && (
        <p class="error" role="alert">
          {search.error}
        </p>
      )}
      {search.searched && search.query && search.users.length === 0 && !search.error && <p class="muted">Nobody matches “{search.query}”.</p>}
      <ul class="ops-users">
        {search.users.map((user) => (
          <UserRow key={user.id} user={user} store={store} busy={busy} />
        ))}
      </ul>
    </section>
  );
}

function UserRow({ user, store, busy }: { user: AdminUser; store: ConsoleStore; busy: boolean }) {
  const suspended = user.suspendedAt !== null;
  return (
    <li class="ops-user" data-testid="admin-user" data-username={user.username} data-suspended={suspended}>
      <span class="ops-user-name">
        <strong>{user.displayName}</strong> <span class="muted">@{user.username}</span>
        {user.admin && <span class="pill">operator</span>}
        {user.suspendedAt !== null && (
          <span class="pill ops-pill-bad" title={new Date(user.suspendedAt).toLocaleString()}>
            suspended
          </span>
        )}
      </span>
      <span class="row">
        <button type="button" class="small" disabled={busy} onClick={() => store.ask({ kind: 'disconnect', user })}>
          Disconnect
        </button>
        {suspended ? (
          <button type="button" class="small" disabled={busy} onClick={() => store.ask({ kind: 'unsuspend', user })}>
            Unsuspend
          </button>
        ) : (
          <button type="button" class="small danger" disabled={busy} onClick={() => store.ask({ kind: 'suspend', user })}>
            Suspend
          </button>
        )}
      </span>
    </li>
  );
}
