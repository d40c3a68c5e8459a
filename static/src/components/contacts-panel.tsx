import { t } from '../i18n';
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
    if (confirm(t('contacts.blockConfirm', { name: user.displayName }))) {
      void store.social('user:block', { userId: user.id }, t('contacts.blocked', { name: user.displayName }));
    }
  };

  const relationButtons = (user: User) => {
    if (blockedIds.has(user.id))
      return (
        <button type="button" onClick={() => void store.social('user:unblock', { userId: user.id }, `${user.displayName} is unblocked`)}>
          {t('contacts.unblock')}
        </button>
      );
    if (friendIds.has(user.id))
      return (
        <button type="button" class="primary" onClick={() => onMessage(user)}>
          {t('contacts.message')}
        </button>
      );
    const inc = incomingFrom.get(user.id);
    if (inc)
      return (
        <button type="button" class="primary" onClick={() => void store.social('friend:respond', { requestId: inc.id, accept: true }, t('contacts.accepted'))}>
          {t('contacts.accept')}
        </button>
      );
    if (outgoingTo.has(user.id)) return <span class="pill">{t('contacts.requestSent')}</span>;
    return (
      <>
        <button type="button" class="primary" onClick={() => void store.social('friend:request', { userId: user.id })}>
          {t('contacts.addFriend')}
        </button>
        <button type="button" onClick={() => onMessage(user)}>
          {t('contacts.message')}
        </button>
      </>
    );
  };

  return (
    <div class="contacts">
      <div class="search">
        <input
          type="search"
          placeholder={t('contacts.searchPlaceholder')}
          aria-label={t('contacts.findPeople')}
          data-testid="user-search"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
        />
      </div>
      {searchError && <p class="error" role="alert">{searchError}</p>}
      {results && (
        <section aria-label={t('contacts.searchResults')}>
          <h3>{t('contacts.searchResults')}</h3>
          {results.length === 0 ? (
            <p class="muted pad">{t('contacts.nobody', { q: q.trim() })}</p>
          ) : (
            <ul class="people">
              {results.map((u) => (
                <PersonRow key={u.id} user={u} detail={`@${u.username}`} data={{ 'data-testid': 'search-result', 'data-username': u.username }}>
                  {relationButtons(u)}
                  {!blockedIds.has(u.id) && (
                    <details class="menu">
                      <summary aria-label={t('contacts.moreActions', { name: u.displayName })}>⋯</summary>
                      <div class="menu-items">
                        <button type="button" class="danger" onClick={() => block(u)}>
                          {t('contacts.block')}
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
        <section aria-label={t('contacts.friendRequests')}>
          <h3>
            {t('contacts.friendRequests')} <span class="badge">{incoming.length}</span>
          </h3>
          <ul class="people">
            {incoming.map((r) => (
              <PersonRow
                key={r.id}
                user={r.fromUser}
                detail={r.note ? `“${r.note}”` : `@${r.fromUser.username}`}
                data={{ 'data-testid': 'incoming-request', 'data-username': r.fromUser.username }}
              >
                <button type="button" class="primary" onClick={() => void store.social('friend:respond', { requestId: r.id, accept: true }, t('contacts.nowFriends', { name: r.fromUser.displayName }))}>
                  {t('contacts.accept')}
                </button>
                <button type="button" onClick={() => void store.social('friend:respond', { requestId: r.id, accept: false }, t('contacts.declined'))}>
                  {t('contacts.decline')}
                </button>
              </PersonRow>
            ))}
          </ul>
        </section>
      )}

      {invitations.length > 0 && (
        <section aria-label={t('contacts.groupInvitations')}>
          <h3>
            {t('contacts.groupInvitations')} <span class="badge" data-testid="invitations-badge">{invitations.length}</span>
          </h3>
          <ul class="people">
            {invitations.map((i) => (
              <PersonRow
                key={i.id}
                user={{ id: `g:${i.group.id}`, displayName: i.group.name }}
                group
                detail={`${t('contacts.invitedYou', { name: i.inviter.displayName })} · ${t('chat.members', { count: i.group.memberCount })}`}
                data={{ 'data-testid': 'group-invitation', 'data-group': i.group.name }}
              >
                <button type="button" class="primary" onClick={() => void store.groups.respondToInvitation(i, true)}>
                  {t('contacts.join')}
                </button>
                <button type="button" onClick={() => void store.groups.respondToInvitation(i, false)}>
                  {t('contacts.decline')}
                </button>
              </PersonRow>
            ))}
          </ul>
        </section>
      )}

      {outgoing.length > 0 && (
        <section aria-label={t('contacts.sentRequests')}>
          <h3>{t('contacts.sentRequests')}</h3>
          <ul class="people">
            {outgoing.map((r) => (
              <PersonRow key={r.id} user={r.toUser} detail={t('contacts.waiting')}>
                <button type="button" onClick={() => void store.social('friend:cancel', { requestId: r.id }, t('contacts.cancelled'))}>
                  {t('contacts.cancel')}
                </button>
              </PersonRow>
            ))}
          </ul>
        </section>
      )}

      <section aria-label={t('contacts.friends')}>
        <h3>{t('contacts.friends')} {friends.length > 0 && <span class="muted">· {t('contacts.online', { count: friends.filter((f) => state.online.get(f.user.id) ?? f.online).length })}</span>}</h3>
        {state.social.error && <p class="muted pad">{state.social.error}</p>}
        {friends.length === 0 && !state.social.error ? (
          <div class="empty small">
            <p>{t('contacts.noFriends')}</p>
            <p class="muted">{t('contacts.noFriendsHint')}</p>
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
                    detail={online ? t('chat.online') : lastSeen(state.lastSeenAt.get(f.user.id) ?? f.lastSeenAt)}
                    data={{ 'data-testid': 'friend', 'data-username': f.user.username, 'data-online': String(online) }}
                  >
                    <button type="button" class="primary" onClick={() => onMessage(f.user)}>
                      {t('contacts.message')}
                    </button>
                    <details class="menu">
                      <summary aria-label={t('contacts.moreActions', { name: f.user.displayName })}>⋯</summary>
                      <div class="menu-items">
                        <button
                          type="button"
                          onClick={() => confirm(t('contacts.removeConfirm', { name: f.user.displayName })) && void store.social('friend:remove', { userId: f.user.id }, t('contacts.removed'))}
                        >
                          {t('contacts.removeFriend')}
                        </button>
                        <button type="button" class="danger" onClick={() => block(f.user)}>
                          {t('contacts.block')}
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
        <section aria-label={t('contacts.blockedList')}>
          <h3>{t('contacts.blockedList')}</h3>
          <ul class="people">
            {blocked.map((u) => (
              <PersonRow key={u.id} user={u} detail={`@${u.username}`}>
                <button type="button" onClick={() => void store.social('user:unblock', { userId: u.id }, t('contacts.unblocked', { name: u.displayName }))}>
                  {t('contacts.unblock')}
                </button>
              </PersonRow>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
