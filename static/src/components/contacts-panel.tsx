import { useState } from 'preact/hooks';
import type { User } from '@parley/protocol';
import { describe, type ChatStore, type State } from '../store';
import { lastSeen } from '../format';
import { useDebouncedSearch } from '../use-debounced-search';
import { PersonRow } from './person-row';

interface Props {
  store: ChatStore;
  state: State;
  onMessage: (user: User) => void;
}

/** People: search, friend requests in and out, group invitations, friends with presence, blocked users. */
export function ContactsPanel({ store, state, onMessage }: Props) {
  const [q, setQ] = useState('');
  const [results, setResults] = useState<User[] | undefined>();
  const [searchError, setSearchError] = useState<string | undefined>();
  const { friends, incoming, outgoing, blocked } = state.social;
  const invitations = state.invitations;

  useDebouncedSearch(
    q,
    (query, isLive) => {
      store
        .searchUsers(query)
        .then((users) => isLive() && (setResults(users), setSearchError(undefined)))
        .catch((err) => isLive() && setSearchError(describe(err)));
    },
    () => {
      setResults(undefined);
      setSearchError(undefined);
    },
  );

  const friendIds = new Set(friends.map((f) => f.user.id));
  const outgoingTo = new Map(outgoing.map((r) => [r.toUserId, r]));
  const incomingFrom = new Map(incoming.map((r) => [r.fromUserId, r]));
  const blockedIds = new Set(blocked.map((u) => u.id));

  const block = (user: User) => {
    if (confirm(`Block ${user.displayName}? They will not be able to message you.`)) {
      void store.social('user:block', { userId: user.id }, `${user.displayName} is blocked`);
    }
  };

  const relationButtons = (user: User) => {
    if (blockedIds.has(user.id))
      return (
        <button type="button" onClick={() => void store.social('user:unblock', { userId: user.id }, `${user.displayName} is unblocked`)}>
          Unblock
        </button>
      );
    if (friendIds.has(user.id))
      return (
        <button type="button" class="primary" onClick={() => onMessage(user)}>
          Message
        </button>
      );
    const inc = incomingFrom.get(user.id);
    if (inc)
      return (
        <button type="button" class="primary" onClick={() => void store.social('friend:respond', { requestId: inc.id, accept: true }, 'Friend request accepted')}>
          Accept
        </button>
      );
    if (outgoingTo.has(user.id)) return <span class="pill">Request sent</span>;
    return (
      <>
        <button type="button" class="primary" onClick={() => void store.social('friend:request', { userId: user.id })}>
          Add friend
        </button>
        <button type="button" onClick={() => onMessage(user)}>
          Message
        </button>
      </>
    );
  };

  return (
    <div class="contacts">
      <div class="search">
        <input
          type="search"
          placeholder="Find people by name or username"
          aria-label="Find people"
          data-testid="user-search"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
        />
      </div>
      {searchError && <p class="error" role="alert">{searchError}</p>}
      {results && (
        <section aria-label="Search results">
          <h3>Search results</h3>
          {results.length === 0 ? (
            <p class="muted pad">Nobody found for “{q.trim()}”.</p>
          ) : (
            <ul class="people">
              {results.map((u) => (
                <PersonRow key={u.id} user={u} detail={`@${u.username}`} data={{ 'data-testid': 'search-result', 'data-username': u.username }}>
                  {relationButtons(u)}
                  {!blockedIds.has(u.id) && (
                    <details class="menu">
                      <summary aria-label={`More actions for ${u.displayName}`}>⋯</summary>
                      <div class="menu-items">
                        <button type="button" class="danger" onClick={() => block(u)}>
                          Block
                        </button>
                      </div>
                    </details>
                  )}
                </PersonRow>
              ))}
            </ul>
          )}
        </section>
      )}

      {incoming.length > 0 && (
        <section aria-label="Friend requests">
          <h3>
            Friend requests <span class="badge">{incoming.length}</span>
          </h3>
          <ul class="people">
            {incoming.map((r) => (
              <PersonRow
                key={r.id}
                user={r.fromUser}
                detail={r.note ? `“${r.note}”` : `@${r.fromUser.username}`}
                data={{ 'data-testid': 'incoming-request', 'data-username': r.fromUser.username }}
              >
                <button type="button" class="primary" onClick={() => void store.social('friend:respond', { requestId: r.id, accept: true }, `You and ${r.fromUser.displayName} are now friends`)}>
                  Accept
                </button>
                <button type="button" onClick={() => void store.social('friend:respond', { requestId: r.id, accept: false }, 'Request declined')}>
                  Decline
                </button>
              </PersonRow>
            ))}
          </ul>
        </section>
      )}

      {invitations.length > 0 && (
        <section aria-label="Group invitations">
          <h3>
            Group invitations <span class="badge" data-testid="invitations-badge">{invitations.length}</span>
          </h3>
          <ul class="people">
            {invitations.map((i) => (
              <PersonRow
                key={i.id}
                user={{ id: `g:${i.group.id}`, displayName: i.group.name }}
                group
                detail={`${i.inviter.displayName} invited you · ${i.group.memberCount} ${i.group.memberCount === 1 ? 'member' : 'members'}`}
                data={{ 'data-testid': 'group-invitation', 'data-group': i.group.name }}
              >
                <button type="button" class="primary" onClick={() => void store.groups.respondToInvitation(i, true)}>
                  Join
                </button>
                <button type="button" onClick={() => void store.groups.respondToInvitation(i, false)}>
                  Decline
                </button>
              </PersonRow>
            ))}
          </ul>
        </section>
      )}

      {outgoing.length > 0 && (
        <section aria-label="Sent requests">
          <h3>Sent requests</h3>
          <ul class="people">
            {outgoing.map((r) => (
              <PersonRow key={r.id} user={r.toUser} detail="waiting for an answer">
                <button type="button" onClick={() => void store.social('friend:cancel', { requestId: r.id }, 'Request cancelled')}>
                  Cancel
                </button>
              </PersonRow>
            ))}
          </ul>
        </section>
      )}

      <section aria-label="Friends">
        <h3>Friends {friends.length > 0 && <span class="muted">· {friends.filter((f) => state.online.get(f.user.id) ?? f.online).length} online</span>}</h3>
        {state.social.error && <p class="muted pad">{state.social.error}</p>}
        {friends.length === 0 && !state.social.error ? (
          <div class="empty small">
            <p>No friends yet.</p>
            <p class="muted">Search for people above and send them a friend request.</p>
          </div>
        ) : (
          <ul class="people">
            {[...friends]
              .sort((a, b) => Number(state.online.get(b.user.id) ?? b.online) - Number(state.online.get(a.user.id) ?? a.online) || a.user.displayName.localeCompare(b.user.displayName))
              .map((f) => {
                const online = state.online.get(f.user.id) ?? f.online;
                return (
                  <PersonRow
                    key={f.user.id}
                    user={f.user}
                    online={online}
                    detail={online ? 'online' : lastSeen(state.lastSeenAt.get(f.user.id) ?? f.lastSeenAt)}
                    data={{ 'data-testid': 'friend', 'data-username': f.user.username, 'data-online': String(online) }}
                  >
                    <button type="button" class="primary" onClick={() => onMessage(f.user)}>
                      Message
                    </button>
                    <details class="menu">
                      <summary aria-label={`More actions for ${f.user.displayName}`}>⋯</summary>
                      <div class="menu-items">
                        <button
                          type="button"
                          onClick={() => confirm(`Remove ${f.user.displayName} from your friends?`) && void store.social('friend:remove', { userId: f.user.id }, 'Friend removed')}
                        >
                          Remove friend
                        </button>
                        <button type="button" class="danger" onClick={() => block(f.user)}>
                          Block
                        </button>
                      </div>
                    </details>
                  </PersonRow>
                );
              })}
          </ul>
        )}
      </section>

      {blocked.length > 0 && (
        <section aria-label="Blocked">
          <h3>Blocked</h3>
          <ul class="people">
            {blocked.map((u) => (
              <PersonRow key={u.id} user={u} detail={`@${u.username}`}>
                <button type="button" onClick={() => void store.social('user:unblock', { userId: u.id }, `${u.displayName} is unblocked`)}>
                  Unblock
                </button>
              </PersonRow>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
