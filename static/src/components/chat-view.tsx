import { useEffect, useState } from 'preact/hooks';
import type { Attachment, Message } from '@parley/protocol';
import type { ChatStore, State } from '../store';
import { lastSeen } from '../format';
import { t } from '../i18n';
import { isMuted } from '../state/muting';
import type { MentionCandidate } from '../messages/mentions';
import { Lightbox } from './attachment-view';
import { Avatar } from './avatar';
import { Composer } from './composer';
import { conversationTitle } from './conversation-list';
import { MessageList } from './message-list';

interface Props {
  store: ChatStore;
  state: State;
  conversationId: string;
  onBack: () => void;
  onGroupDetails: () => void;
  onNotificationSettings: () => void;
}

/** One open chat: who it is with, the messages, who is typing, the composer; files dropped on it are sent. */
export function ChatView({ store, state, conversationId, onBack, onGroupDetails, onNotificationSettings }: Props) {
  const [replyTo, setReplyTo] = useState<Message>();
  const [viewing, setViewing] = useState<Attachment>();
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    setReplyTo(undefined);
    setViewing(undefined);
  }, [conversationId]);
  const conv = state.conversations.get(conversationId);
  if (!conv) return null;
  const thread = state.threads.get(conversationId);
  const typingIds = [...(state.typing.get(conversationId)?.keys() ?? [])];
  const typingText =
    typingIds.length === 0
      ? ''
      : conv.type === 'direct'
        ? t('list.someoneTyping', { name: conv.peer?.displayName ?? '' })
        : typingIds.length === 1 && typingIds[0] !== undefined
          ? t('list.someoneTyping', { name: store.userName(typingIds[0]) })
          : t('chat.peopleTyping', { count: typingIds.length });
  const online = conv.peer ? (state.online.get(conv.peer.id) ?? false) : undefined;
  const details = conv.group ? state.groups.get(conv.group.id) : undefined;
  const subtitle = conv.peer
    ? online
      ? t('chat.online')
      : lastSeen(state.lastSeenAt.get(conv.peer.id))
    : details
      ? t('chat.membersOnline', { count: details.members.length, online: details.members.filter((m) => m.online).length })
      : t('chat.members', { count: conv.group?.memberCount ?? 0 });

  const members: MentionCandidate[] = (details?.members ?? []).map((m) => ({ id: m.user.id, name: m.user.displayName, username: m.user.username }));
  const myRole = details?.members.find((m) => m.user.id === state.me.id)?.role;
  const hasFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes('Files');

  return (
    <section
      class={`chat${dragging ? ' dragging' : ''}`}
      aria-label={t('chat.with', { name: conversationTitle(conv) })}
      data-testid="chat"
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => e.currentTarget === e.target && setDragging(false)}
      onDrop={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        setDragging(false);
        store.sendFiles(conversationId, [...(e.dataTransfer?.files ?? [])]);
      }}
    >
      {dragging && (
        <div class="drop-hint" data-testid="drop-hint">
          {t('chat.dropFiles')}
        </div>
      )}
      <header class="chat-header">
        <button type="button" class="icon back" aria-label={t('chat.back')} onClick={onBack}>
          ←
        </button>
        <Avatar id={conv.peer?.id ?? conv.id} name={conversationTitle(conv)} url={conv.peer?.avatarUrl} group={conv.type === 'group'} online={online} />
        <div class="chat-title">
          <h2 data-testid="chat-title">{conversationTitle(conv)}</h2>
          <p class={`subtitle${typingText ? ' typing' : ''}`} data-testid="chat-subtitle">
            {typingText || subtitle}
          </p>
        </div>
        <button
          type="button"
          class={`icon${isMuted(conv) ? ' muted-bell' : ''}`}
          aria-label={t('chat.notifications')}
          title={t('chat.notifications')}
          data-testid="notification-settings-button"
          data-muted={isMuted(conv) ? 'true' : 'false'}
          onClick={onNotificationSettings}
        >
          {/* Drawn, not an emoji (devices without an emoji font); a slash across it when muted. */}
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.9" stroke-linecap="round" stroke-linejoin="round">
            <path d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15z" />
            <path d="M10 20.5a2 2 0 0 0 4 0" />
            {isMuted(conv) && <path d="M4 4l16 16" />}
          </svg>
        </button>
        {conv.group && (
          <button type="button" class="icon" aria-label={t('chat.groupDetails')} title={t('chat.groupDetails')} data-testid="group-details-button" onClick={onGroupDetails}>
            <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
              <circle cx="12" cy="12" r="9.5" fill="none" stroke="currentColor" stroke-width="1.8" />
              <path d="M12 10.5v6M12 7.2v.1" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" />
            </svg>
          </button>
        )}
      </header>
      {conv.group?.announcement && <p class="announcement">📌 {conv.group.announcement}</p>}
      <MessageList store={store} state={state} conv={conv} thread={thread} onReply={setReplyTo} onView={setViewing} />
      <div class="typing-line" aria-live="polite" data-testid="typing-indicator">
        {typingText && (
          <>
            <span class="typing-dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            {typingText}
          </>
        )}
      </div>
      <Composer
        store={store}
        conversationId={conversationId}
        offline={state.connection !== 'connected'}
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(undefined)}
        members={members}
        mayMentionAll={myRole === 'owner' || myRole === 'admin'}
      />
      {viewing && <Lightbox store={store} attachment={viewing} onClose={() => setViewing(undefined)} />}
    </section>
  );
}
