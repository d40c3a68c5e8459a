import { useState } from 'preact/hooks';
import type { ChatStore, Conversation, State } from '../store';
import { shortWhen } from '../format';
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
  return c.group?.name ?? c.peer?.displayName ?? 'Conversation';
}

/** Chats sorted by latest activity, with preview, time, unread count and presence. */
export function ConversationList({ store, state, onOpen, onFindPeople, onFindGroups, onSearchMessages }: Props) {
  const [filter, setFilter] = useState('');
  const all = [...state.conversations.values()].sort((a, b) => b.activityAt - a.activityAt);
  const q = filter.trim().toLowerCase();
  const shown = q ? all.filter((c) => conversationTitle(c).toLowerCase().includes(q)) : all;

  const preview = (c: Conversation): string => {
    const typingIds = [...(state.typing.get(c.id)?.keys() ?? [])];
    const [typist] = typingIds;
    if (typist !== undefined) return c.type === 'group' ? `${store.userName(typist)} is typing…` : 'typing…';
    const upload = state.uploads.filter((u) => u.conversationId === c.id && u.status !== 'failed').at(-1);
    if (upload) return `You: 📎 ${upload.name}`;
    const pending = state.outgoing.filter((o) => o.conversationId === c.id).at(-1);
    if (pending && (!c.last || pending.createdAt >= c.last.createdAt)) return `You: ${pending.text}`;
    if (!c.last) return c.type === 'group' ? 'Group created' : 'Say hello 👋';
    if (c.last.kind === 'system') return c.last.body.text;
    const who = c.last.senderId === state.me.id ? 'You: ' : c.type === 'group' ? `${store.userName(c.last.senderId)}: ` : '';
    return who + previewText(c.last);
  };

  return (
    <div class="conv-list">
      <div class="search">
        <input type="search" placeholder="Search chats" aria-label="Search chats" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        <button type="button" class="link search-messages" onClick={onSearchMessages} data-testid="search-messages-button">
          Search messages
        </button>
      </div>
      {all.length === 0 ? (
        <div class="empty">
          <div class="empty-art" aria-hidden="true">💬</div>
          <p>No conversations yet.</p>
          <p class="muted">Find people, add them as friends and say hello, or join a public group.</p>
          <div class="row center">
            <button class="primary" type="button" onClick={onFindPeople}>
              Find people
            </button>
            <button class="primary" type="button" onClick={onFindGroups}>
              Find groups
            </button>
          </div>
        </div>
      ) : shown.length === 0 ? (
        <p class="empty muted">No chat matches “{filter}”.</p>
      ) : (
        <ul role="list" aria-label="Conversations">
          {shown.map((c) => (
            <li key={c.id}>
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
                    {c.last && <time class="conv-time">{shortWhen(c.last.createdAt)}</time>}
                  </span>
                  <span class="conv-bottom">
                    <span class="conv-preview">{preview(c)}</span>
                    {c.mentioned && c.unread > 0 && (
                      <span class="badge mention" data-testid="mention-marker" aria-label="You were mentioned" title="You were mentioned">
                        @
                      </span>
                    )}
                    {c.unread > 0 && (
                      <span class="badge" data-testid="unread-badge" aria-label={`${c.unread} unread`}>
                        {c.unread > 99 ? '99+' : c.unread}
                      </span>
                    )}
                  </span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
