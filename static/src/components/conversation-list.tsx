import { useState } from 'preact/hooks';
import type { ChatStore, Conversation, State } from '../store';
import { shortWhen } from '../format';
import { t } from '../i18n';
import { isMuted } from '../state/muting';
import { listOrder } from '../state/list-order';
import { previewText } from '../messages/message-preview';
import { Avatar } from './avatar';

interface Props {
  store: ChatStore;
  state: State;
  onOpen: (id: string) => void;
  onFindPeople: () => void;
  onFindGroups: () => void;
  onSearchMessages: () => void;
}

export function conversationTitle(c: Conversation): string {
  return c.group?.name ?? c.peer?.displayName ?? t('list.conversation');
}

function PinIcon({ on }: { on: boolean }) {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" fill={on ? 'currentColor' : 'none'} stroke="currentColor" stroke-width="1.8" stroke-linejoin="round">
      <path d="M9 3h6l-1 6 4 4H6l4-4zM12 13v8" />
    </svg>
  );
}

/** Chats, pinned first then by latest activity, with preview, time, unread count, presence, and a pin toggle. */
export function ConversationList({ store, state, onOpen, onFindPeople, onFindGroups, onSearchMessages }: Props) {
  const [filter, setFilter] = useState('');
  const all = [...state.conversations.values()].sort(listOrder);
  const q = filter.trim().toLowerCase();
  const shown = q ? all.filter((c) => conversationTitle(c).toLowerCase().includes(q)) : all;

  const preview = (c: Conversation): string => {
    const typingIds = [...(state.typing.get(c.id)?.keys() ?? [])];
    const [typist] = typingIds;
    if (typist !== undefined) return c.type === 'group' ? t('list.someoneTyping', { name: store.userName(typist) }) : t('list.typing');
    const upload = state.uploads.filter((u) => u.conversationId === c.id && u.status !== 'failed').at(-1);
    if (upload) return t('list.you', { text: `📎 ${upload.name}` });
    const pending = state.outgoing.filter((o) => o.conversationId === c.id).at(-1);
    if (pending && (!c.last || pending.createdAt >= c.last.createdAt)) return t('list.you', { text: pending.text });
    if (!c.last) return c.type === 'group' ? t('list.groupCreated') : t('list.sayHello');
    if (c.last.kind === 'system') return c.last.body.text;
    if (c.last.senderId === state.me.id) return t('list.you', { text: previewText(c.last) });
    return (c.type === 'group' ? `${store.userName(c.last.senderId)}: ` : '') + previewText(c.last);
  };

  return (
    <div class="conv-list">
      <div class="search">
        <input type="search" placeholder={t('list.search')} aria-label={t('list.search')} value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        <button type="button" class="link search-messages" onClick={onSearchMessages} data-testid="search-messages-button">
          {t('list.searchMessages')}
        </button>
      </div>
      {all.length === 0 ? (
        <div class="empty">
          <div class="empty-art" aria-hidden="true">💬</div>
          <p>{t('list.none')}</p>
          <p class="muted">{t('list.noneHint')}</p>
          <div class="row center">
            <button class="primary" type="button" onClick={onFindPeople}>
              {t('list.findPeople')}
            </button>
            <button class="primary" type="button" onClick={onFindGroups}>
              {t('list.findGroups')}
            </button>
          </div>
        </div>
      ) : shown.length === 0 ? (
        <p class="empty muted">{t('list.noMatch', { filter })}</p>
      ) : (
        <ul role="list" aria-label={t('list.conversations')}>
          {shown.map((c) => (
            <li key={c.id} class={`conv-item${c.pinnedAt !== null ? ' pinned' : ''}`} data-pinned={c.pinnedAt !== null ? 'true' : 'false'}>
              <button
                type="button"
                class={`conv${state.activeId === c.id ? ' active' : ''}${c.unread ? ' unread' : ''}`}
                data-testid="conversation"
                data-conversation-id={c.id}
                aria-current={state.activeId === c.id ? 'true' : undefined}
                onClick={() => onOpen(c.id)}
              >
                <Avatar
                  id={c.peer?.id ?? c.id}
                  name={conversationTitle(c)}
                  url={c.peer?.avatarUrl}
                  group={c.type === 'group'}
                  online={c.peer ? (state.online.get(c.peer.id) ?? false) : undefined}
                />
                <span class="conv-body">
                  <span class="conv-top">
                    <span class="conv-name">{conversationTitle(c)}</span>
                    {isMuted(c) && (
                      <span class="conv-muted" data-testid="muted-marker" title={t('list.muted')} aria-label={t('list.muted')}>
                        <svg viewBox="0 0 24 24" width="13" height="13" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">
                          <path d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15zM4 4l16 16" />
                        </svg>
                      </span>
                    )}
                    {c.last && <time class="conv-time">{shortWhen(c.last.createdAt)}</time>}
                  </span>
                  <span class="conv-bottom">
                    <span class="conv-preview">{preview(c)}</span>
                    {c.mentioned && c.unread > 0 && (
                      <span class="badge mention" data-testid="mention-marker" aria-label={t('list.mentioned')} title={t('list.mentioned')}>
                        @
                      </span>
                    )}
                    {c.unread > 0 && (
                      <span class="badge" data-testid="unread-badge" aria-label={t('list.unread', { count: c.unread })}>
                        {c.unread > 99 ? '99+' : c.unread}
                      </span>
                    )}
                  </span>
                </span>
              </button>
              <button
                type="button"
                class={`pin-toggle${c.pinnedAt !== null ? ' on' : ''}`}
                data-testid="pin-toggle"
                aria-pressed={c.pinnedAt !== null}
                aria-label={t(c.pinnedAt !== null ? 'list.unpin' : 'list.pin', { name: conversationTitle(c) })}
                title={t(c.pinnedAt !== null ? 'list.unpin' : 'list.pin', { name: conversationTitle(c) })}
                onClick={() => void store.settings.conversation({ conversationId: c.id, pinned: c.pinnedAt === null })}
              >
                <PinIcon on={c.pinnedAt !== null} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
