import { t } from '../i18n';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Attachment, Message } from '@parley/protocol';
import type { ChatStore, Conversation, Outgoing, State, Thread, Upload } from '../store';
import { dayKey, dayLabel, formatBytes, timeOfDay } from '../format';
import { Avatar } from './avatar';
import { MessageBubble } from './message-bubble';
import { MessageText } from './message-text';

interface Props {
  store: ChatStore;
  state: State;
  conv: Conversation;
  thread: Thread | undefined;
  onReply: (m: Message) => void;
  onView: (a: Attachment) => void;
}

/** How long a message brought into view (search, quote) stays highlighted. */
const HIGHLIGHT_MS = 2_500;

type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'divider'; key: string }
  | { kind: 'system'; key: string; text: string }
  | { kind: 'message'; key: string; message: Message; first: boolean; last: boolean }
  | { kind: 'outgoing'; key: string; outgoing: Outgoing }
  | { kind: 'upload'; key: string; upload: Upload };

/** Same sender within this long shares one bubble group. */
const GROUP_GAP_MS = 5 * 60_000;
/** Closer than this to the bottom counts as "at the bottom". */
const PIN_SLACK_PX = 48;

/**
 * The messages of one chat: day separators, sender groups, a new-messages
 * divider, own messages with their status. Older pages load on scrolling up;
 * the view stays pinned to the bottom unless the user scrolled away.
 */
export function MessageList({ store, state, conv, thread, onReply, onView }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const placed = useRef(false);
  const restoreFrom = useRef<number | undefined>(undefined);
  const [showJump, setShowJump] = useState(false);
  const [editingId, setEditingId] = useState<string>();
  const [highlightedId, setHighlightedId] = useState<string>();
  const messages = thread?.messages ?? [];
  const outgoing = state.outgoing.filter((o) => o.conversationId === conv.id);
  const uploads = state.uploads.filter((u) => u.conversationId === conv.id);
  const count = messages.length + outgoing.length + uploads.length;
  const sentCount = useRef(outgoing.length);
  // Sending a message always brings the view back to the end, where it appears.
  if (outgoing.length > sentCount.current) pinned.current = true;
  sentCount.current = outgoing.length;

  // A different chat: start over (placed again once its messages are there).
  useLayoutEffect(() => {
    pinned.current = true;
    placed.current = false;
    setShowJump(false);
    setEditingId(undefined);
  }, [conv.id]);

  // A message asked for (a search result, a quote): scrolled to the middle and highlighted for a moment.
  const focus = state.focus;
  useEffect(() => {
    const el = ref.current;
    if (!el || !focus || focus.conversationId !== conv.id) return;
    const target = el.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(focus.messageId)}"]`);
    if (!target) return;
    placed.current = true;
    pinned.current = false;
    target.scrollIntoView({ block: 'center' });
    setHighlightedId(focus.messageId);
    const timer = setTimeout(() => setHighlightedId(undefined), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [focus?.nonce]);

  // Keep the view where the reader is: pinned to the bottom, or steady while older pages are prepended.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (!placed.current && thread?.loaded) {
      // First view of this chat: start at the first unread message if there is one, else at the end.
      placed.current = true;
      const divider = el.querySelector<HTMLElement>('.new-divider');
      if (divider) {
        el.scrollTop = Math.max(0, divider.offsetTop - el.offsetTop - 24);
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < PIN_SLACK_PX;
        return;
      }
    }
    if (restoreFrom.current !== undefined) {
      el.scrollTop += el.scrollHeight - restoreFrom.current;
      restoreFrom.current = undefined;
    } else if (pinned.current) {
      el.scrollTop = el.scrollHeight;
    } else {
      setShowJump(true);
    }
  }, [count, conv.id, thread?.loaded]);

  // A short first page may not fill the view: keep loading until it scrolls or history ends.
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && thread?.loaded && thread.hasMore && !thread.loading && el.scrollHeight <= el.clientHeight) {
      restoreFrom.current = el.scrollHeight;
      void store.loadOlder(conv.id);
    }
  });

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < PIN_SLACK_PX;
    // A window opened around a found message fills in newer messages as the reader reaches its end.
    if (atBottom && thread?.hasNewer && !thread.loading) void store.finder.loadNewer(conv.id);
    pinned.current = atBottom && !thread?.hasNewer;
    if (pinned.current) setShowJump(false);
    if (el.scrollTop < 120 && thread?.hasMore && !thread.loading && thread.loaded) {
      restoreFrom.current = el.scrollHeight;
      void store.loadOlder(conv.id);
    }
  };

  const jumpToBottom = async () => {
    if (thread?.hasNewer) await store.finder.showLatest(conv.id);
    const el = ref.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    pinned.current = true;
    setShowJump(false);
  };

  const rows = buildRows(messages, outgoing, uploads, thread?.firstUnreadSeq, state.me.id, thread?.hasMore ?? true);
  const readers = state.readBy.get(conv.id);
  const seenUpTo = (seq: number): string[] => [...(readers ?? [])].filter(([, s]) => s >= seq).map(([id]) => id);
  const lastOwnSeq = [...messages].reverse().find((m) => m.senderId === state.me.id)?.seq;

  return (
    <div class="messages-wrap">
      <div class="messages" ref={ref} onScroll={onScroll} role="log" aria-live="polite" aria-label={t('messages.label')} tabIndex={0} data-testid="messages">
        {thread?.loading && <p class="loading-older">{t('messages.loadingOlder')}</p>}
        {thread?.loaded && !thread.hasMore && messages.length > 0 && <p class="history-start">{t('messages.start')}</p>}
        {thread?.loaded && messages.length === 0 && outgoing.length === 0 && (
          <div class="empty chat-empty">
            <div class="empty-art" aria-hidden="true">{conv.type === 'group' ? '👥' : '👋'}</div>
            <p>{t('messages.none')}</p>
            <p class="muted">{t('messages.sayHello', { name: conv.group?.name ?? conv.peer?.displayName ?? '' })}</p>
          </div>
        )}
        {rows.map((row) => {
          switch (row.kind) {
            case 'day':
              return (
                <div class="day" key={row.key} role="separator">
                  <span>{row.label}</span>
                </div>
              );
            case 'divider':
              return (
                <div class="new-divider" key={row.key} data-testid="new-messages-divider" role="separator">
                  <span>New messages</span>
                </div>
              );
            case 'system':
              return (
                <p class="system" key={row.key}>
                  {row.text}
                </p>
              );
            case 'outgoing':
              return <OutgoingBubble key={row.key} store={store} outgoing={row.outgoing} />;
            case 'upload':
              return <UploadBubble key={row.key} store={store} upload={row.upload} />;
            case 'message': {
              const m = row.message;
              const mine = m.senderId === state.me.id;
              const seenBy = mine ? seenUpTo(m.seq) : [];
              const status = seenBy.length > 0 ? 'seen' : 'sent';
              const sender = state.users.get(m.senderId);
              return (
                <div
                  key={row.key}
                  class={`msg ${mine ? 'mine' : 'theirs'}${row.first ? ' first' : ''}${row.last ? ' last' : ''}`}
                  data-testid="message"
                  data-seq={m.seq}
                  data-message-id={m.id}
                  data-kind={m.kind}
                  data-highlighted={highlightedId === m.id ? 'true' : undefined}
                  data-status={mine ? status : undefined}
                >
                  {!mine && conv.type === 'group' && (
                    <span class="msg-avatar">{row.last && <Avatar id={m.senderId} name={sender?.displayName ?? '?'} url={sender?.avatarUrl} size="sm" />}</span>
                  )}
                  <MessageBubble
                    store={store}
                    state={state}
                    message={m}
                    mine={mine}
                    sender={!mine && conv.type === 'group' && row.first ? (sender?.displayName ?? t('messages.someone')) : undefined}
                    status={mine ? status : undefined}
                    highlighted={highlightedId === m.id}
                    editing={editingId === m.id}
                    onEdit={(on) => setEditingId(on ? m.id : undefined)}
                    onReply={onReply}
                    onView={onView}
                  />
                  {mine && m.seq === lastOwnSeq && seenBy.length > 0 && (
                    <span class="seen-by" data-testid="seen">
                      {conv.type === 'group' ? t('messages.seenBy', { names: seenBy.map((id) => store.userName(id)).join(', ') }) : t('messages.seen')}
                    </span>
                  )}
                </div>
              );
            }
          }
        })}
      </div>
      {(showJump || thread?.hasNewer) && (
        <button type="button" class="jump" onClick={() => void jumpToBottom()} aria-label={t('messages.jumpLabel')} data-testid="jump-latest">
          {t('messages.jump')}
        </button>
      )}
    </div>
  );
}

function OutgoingBubble({ store, outgoing }: { store: ChatStore; outgoing: Outgoing }) {
  const failed = outgoing.status === 'failed';
  return (
    <div class="msg mine first last" data-testid="message" data-status={outgoing.status}>
      <div class={`bubble${failed ? ' failed' : ''}`}>
        <MessageText text={outgoing.text} />
        <span class="meta">
          <time>{timeOfDay(outgoing.createdAt)}</time>
          <span class="ticks sending" aria-label={failed ? t('messages.notSent') : t('messages.sending')}>
            {failed ? '!' : '🕓'}
          </span>
        </span>
      </div>
      {failed && (
        <span class="failed-note" role="alert">
          {outgoing.error ? t('messages.notSentWhy', { why: outgoing.error }) : t('messages.notSentDot')}{' '}
          <button type="button" class="link" onClick={() => store.retry(outgoing.clientMsgId)}>
            {t('messages.retry')}
          </button>{' '}
          <button type="button" class="link" onClick={() => store.discard(outgoing.clientMsgId)}>
            {t('messages.delete')}
          </button>
        </span>
      )}
    </div>
  );
}

/** A file on its way: its name, a progress bar, then "sending"; a failure says why and can be dismissed. */
function UploadBubble({ store, upload }: { store: ChatStore; upload: Upload }) {
  const failed = upload.status === 'failed';
  const percent = Math.round(upload.progress * 100);
  return (
    <div class="msg mine first last" data-testid="upload" data-status={upload.status}>
      <div class={`bubble upload${failed ? ' failed' : ''}`}>
        {upload.previewUrl && <img class="upload-preview" src={upload.previewUrl} alt="" />}
        <span class="file-name">{upload.name}</span>
        <span class="file-size">{formatBytes(upload.size)}</span>
        {!failed && (
          <progress class="upload-progress" max={100} value={percent} aria-label={t('messages.uploadingName', { name: upload.name })} data-testid="upload-progress">
            {percent}%
          </progress>
        )}
        {!failed && <span class="upload-status">{upload.status === 'sending' ? t('messages.sendingDots') : t('messages.uploading', { percent })}</span>}
      </div>
      {failed && (
        <span class="failed-note" role="alert">
          {upload.error ? t('messages.notSentWhy', { why: upload.error }) : t('messages.notSent')}{' '}
          <button type="button" class="link" onClick={() => store.attachments.dismiss(upload.id, upload.previewUrl)}>
            {t('messages.dismiss')}
          </button>
        </span>
      )}
    </div>
  );
}

function buildRows(messages: Message[], outgoing: Outgoing[], uploads: Upload[], firstUnreadSeq: number | undefined, me: string, hasMore: boolean): Row[] {
  const rows: Row[] = [];
  let prevDay = '';
  let dividerShown = false;
  messages.forEach((m, i) => {
    const day = dayKey(m.createdAt);
    if (day !== prevDay) {
      rows.push({ kind: 'day', key: `day-${day}`, label: dayLabel(m.createdAt) });
      prevDay = day;
    }
    // Only where the first unread really is: not above a page whose older neighbours are not loaded yet.
    const before = messages[i - 1];
    const unreadStartsHere = firstUnreadSeq !== undefined && m.seq >= firstUnreadSeq && (before ? before.seq < firstUnreadSeq : !hasMore);
    if (!dividerShown && unreadStartsHere && m.senderId !== me) {
      rows.push({ kind: 'divider', key: 'divider' });
      dividerShown = true;
    }
    if (m.kind === 'system') {
      rows.push({ kind: 'system', key: `m-${m.id}`, text: m.body.text });
      return;
    }
    const prev = messages[i - 1];
    const next = messages[i + 1];
    const joins = (a: Message | undefined, b: Message | undefined): boolean =>
      !!a && !!b && a.kind !== 'system' && b.kind !== 'system' && a.senderId === b.senderId && b.createdAt - a.createdAt < GROUP_GAP_MS && dayKey(a.createdAt) === dayKey(b.createdAt);
    rows.push({ kind: 'message', key: `m-${m.id}`, message: m, first: !joins(prev, m), last: !joins(m, next) });
  });
  for (const o of outgoing) rows.push({ kind: 'outgoing', key: `o-${o.clientMsgId}`, outgoing: o });
  for (const u of uploads) rows.push({ kind: 'upload', key: `u-${u.id}`, upload: u });
  return rows;
}
