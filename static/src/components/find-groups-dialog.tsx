import { t } from '../i18n';
import { useState } from 'preact/hooks';
import type { Group } from '@parley/protocol';
import { GROUP_SEARCH_PAGE } from '../group-actions';
import { describe, type ChatStore, type State } from '../store';
import { useDebouncedSearch } from '../use-debounced-search';
import { Modal } from './modal';
import { PersonRow } from './person-row';

interface Props {
  store: ChatStore;
  state: State;
  onClose: () => void;
  /** Opens a conversation (and closes the dialog). */
  onOpen: (conversationId: string) => void;
}

interface Found {
  q: string;
  groups: Group[];
  /** Ids of found groups I was already in when searching. */
  memberOf: Set<string>;
  /** A full page came back: there may be more. */
  more: boolean;
}

type JoinState = 'joining' | 'joined' | 'requested' | { error: string };

const memberLabel = (n: number) => t('chat.members', { count: n });

/** Find public groups by name and join them (or ask to, when admins approve joins). */
export function FindGroupsDialog({ store, state, onClose, onOpen }: Props) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Found | undefined>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [joins, setJoins] = useState(new Map<string, JoinState>());

  const search = async (query: string, offset: number, isLive: () => boolean = () => true) => {
    setLoading(true);
    try {
      const page = await store.groups.searchGroups(query, offset);
      if (!isLive()) return;
      setFound((prev) => {
        if (offset === 0) return { q: query, groups: page.groups, memberOf: new Set(page.memberOf), more: page.groups.length === GROUP_SEARCH_PAGE };
        // A later page of a search the box no longer shows is dropped.
        if (!prev || prev.q !== query) return prev;
        return {
          q: query,
          groups: [...prev.groups, ...page.groups],
          memberOf: new Set([...prev.memberOf, ...page.memberOf]),
          more: page.groups.length === GROUP_SEARCH_PAGE,
        };
      });
      setError(undefined);
    } catch (err) {
      if (isLive()) setError(describe(err));
    } finally {
      if (isLive()) setLoading(false);
    }
  };

  useDebouncedSearch(
    q,
    (query, isLive) => void search(query, 0, isLive),
    () => {
      setFound(undefined);
      setError(undefined);
    },
  );

  const join = async (group: Group) => {
    const set = (s: JoinState) => setJoins((prev) => new Map(prev).set(group.id, s));
    set('joining');
    try {
      const result = await store.groups.joinGroup(group.id);
      if ('group' in result) {
        const joined = result.group;
        // The member count as it is now, with me in it.
        setFound((prev) => prev && { ...prev, groups: prev.groups.map((g) => (g.id === joined.id ? joined : g)) });
        set('joined');
      } else {
        set('requested');
      }
    } catch (err) {
      set({ error: describe(err) });
    }
  };

  const actions = (group: Group) => {
    const conversationId = `g:${group.id}`;
    const joinState = joins.get(group.id);
    const isMember = joinState === 'joined' || found?.memberOf.has(group.id) || state.conversations.has(conversationId);
    if (isMember)
      return (
        <>
          {joinState === 'joined' && <span class="pill" role="status">{t('groups.joined')}</span>}
          <button type="button" onClick={() => onOpen(conversationId)}>
            {t('groups.open')}
          </button>
        </>
      );
    if (joinState === 'requested') return <span class="pill" role="status">{t('contacts.requestSent')}</span>;
    return (
      <button type="button" class="primary" disabled={joinState === 'joining'} onClick={() => void join(group)} aria-label={t('groups.joinName', { name: group.name })}>
        {joinState === 'joining' ? t('groups.joining') : t('contacts.join')}
      </button>
    );
  };

  const detail = (group: Group) => {
    const joinState = joins.get(group.id);
    if (typeof joinState === 'object') return <span role="alert" class="error">{joinState.error}</span>;
    return `${memberLabel(group.memberCount)}${group.joinApproval ? ` · ${t('groups.approval')}` : ''}`;
  };

  return (
    <Modal title={t('app.findGroups')} onClose={onClose} testId="find-groups-dialog">
      <form
        class="stack"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          if (q.trim()) void search(q.trim(), 0);
        }}
      >
        <input
          type="search"
          placeholder={t('groups.searchPlaceholder')}
          aria-label={t('groups.search')}
          data-testid="group-search"
          maxLength={64}
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
        />
      </form>
      {error && (
        <p class="error pad" role="alert">
          {error}
        </p>
      )}
      {!found && !error && <p class="muted pad">{t('groups.searchHint')}</p>}
      {found && (
        <section aria-label={t('groups.found')} aria-busy={loading}>
          {found.groups.length === 0 ? (
            <p class="muted pad" role="status">
              {t('groups.noMatch', { q: found.q })}
            </p>
          ) : (
            <ul class="people">
              {found.groups.map((g) => (
                <PersonRow
                  key={g.id}
                  user={{ id: `g:${g.id}`, displayName: g.name }}
                  group
                  detail={detail(g)}
                  data={{ 'data-testid': 'group-result', 'data-group-id': g.id }}
                >
                  {actions(g)}
                </PersonRow>
              ))}
            </ul>
          )}
          {found.more && (
            <div class="row end pad">
              <button type="button" disabled={loading} onClick={() => void search(found.q, found.groups.length)}>
                {loading ? t('groups.loading') : t('groups.more')}
              </button>
            </div>
          )}
        </section>
      )}
    </Modal>
  );
}
