import { t } from '../i18n';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Attachment, Message } from '@parley/protocol';
import { MAX_TEXT_LENGTH } from '@parley/protocol';
import { timeOfDay } from '../format';
import { previewText } from '../messages/message-preview';
import { mentionsMe } from '../state/message-changes';
import type { ChatStore, State } from '../store';
import { FileCard, ImageThumb } from './attachment-view';
import { MessageText } from './message-text';

/** The reactions offered first; the composer's emoji are the rest. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏', '🎉', '🔥'];

interface Props {
  store: ChatStore;
  state: State;
  message: Message;
  mine: boolean;
  /** The sender's name above the text (first of a group's run). */
  sender?: string;
  status?: 'sent' | 'seen';
  highlighted: boolean;
  editing: boolean;
  onEdit: (editing: boolean) => void;
  onReply: (m: Message) => void;
  onView: (a: Attachment) => void;
}

/**
 * One message's bubble: the quote it answers, its content (text, image,
 * file, or the tombstone of a recalled one), "edited", time and ticks, its
 * reactions, and a menu (reply, react, edit, recall, delete for me).
 */
export function MessageBubble({ store, state, message: m, mine, sender, status, highlighted, editing, onEdit, onReply, onView }: Props) {
  const [menu, setMenu] = useState<'closed' | 'actions' | 'react'>('closed');
  const me = state.me.id;
  const attachment = m.body.attachment;
  return (
    <div class={`bubble-wrap${menu !== 'closed' ? ' menu-open' : ''}`}>
      <div class={`bubble${m.recalled ? ' recalled' : ''}${highlighted ? ' highlighted' : ''}${mentionsMe(m, me) ? ' mentions-me' : ''}`}>
        {sender && <span class="sender">{sender}</span>}
        {m.quote && (
          <button
            type="button"
            class="quote"
            data-testid="quote"
            onClick={() => void store.finder.show(m.conversationId, m.quote?.messageId ?? '')}
            aria-label={t('bubble.showQuoted')}
          >
            <span class="quote-sender">{store.userName(m.quote.senderId)}</span>
            <span class="quote-text">{m.quote.recalled ? t('bubble.recalled') : previewText({ kind: m.quote.kind, body: { text: m.quote.text, attachment: m.quote.attachment } })}</span>
          </button>
        )}
        {m.recalled ? (
          <span class="text tombstone" data-testid="recalled">
            {t('bubble.recalled')}
          </span>
        ) : editing ? (
          <InlineEditor initial={m.body.text} onCancel={() => onEdit(false)} onSave={async (text) => (await store.messages.edit(m, text)) && onEdit(false)} />
        ) : (
          <>
            {attachment && m.kind === 'image' && <ImageThumb store={store} attachment={attachment} onOpen={() => onView(attachment)} />}
            {attachment && m.kind === 'file' && <FileCard store={store} attachment={attachment} />}
            {m.body.text && <MessageText text={m.body.text} />}
          </>
        )}
        <span class="meta">
          {m.editedAt && !m.recalled && (
            <span class="edited" data-testid="edited">
              {t('bubble.edited')}
            </span>
          )}
          <time dateTime={new Date(m.createdAt).toISOString()}>{timeOfDay(m.createdAt)}</time>
          {mine && status && (
            <span class={`ticks ${status}`} aria-label={status === 'seen' ? t('messages.seen') : t('bubble.sent')} title={status === 'seen' ? t('messages.seen') : t('bubble.sent')}>
              {status === 'seen' ? '✓✓' : '✓'}
            </span>
          )}
        </span>
      </div>
      {!m.recalled && m.reactions && m.reactions.length > 0 && (
        <div class="reactions" data-testid="reactions">
          {m.reactions.map((r) => {
            const minePicked = r.userIds.includes(me);
            return (
              <button
                key={r.emoji}
                type="button"
                class={`reaction${minePicked ? ' picked' : ''}`}
                title={r.userIds.map((id) => (id === me ? t('search.you') : store.userName(id))).join(', ')}
                aria-pressed={minePicked}
                aria-label={`${r.emoji} ${r.userIds.length}`}
                data-testid="reaction"
                data-emoji={r.emoji}
                onClick={() => void store.messages.toggleReaction(m, r.emoji)}
              >
                {r.emoji} <span class="count">{r.userIds.length}</span>
              </button>
            );
          })}
        </div>
      )}
      {!m.recalled && !editing && (
        <button type="button" class="msg-menu-button" aria-label={t('bubble.actions')} aria-expanded={menu !== 'closed'} data-testid="message-menu-button" onClick={() => setMenu(menu === 'closed' ? 'actions' : 'closed')}>
          ⋯
        </button>
      )}
      {menu !== 'closed' && (
        <MessageMenu
          store={store}
          message={m}
          mine={mine}
          view={menu}
          onReact={() => setMenu('react')}
          onClose={() => setMenu('closed')}
          onReply={() => (setMenu('closed'), onReply(m))}
          onEdit={() => (setMenu('closed'), onEdit(true))}
        />
      )}
    </div>
  );
}

function MessageMenu({
  store,
  message: m,
  mine,
  view,
  onReact,
  onClose,
  onReply,
  onEdit,
}: {
  store: ChatStore;
  message: Message;
  mine: boolean;
  view: 'actions' | 'react';
  onReact: () => void;
  onClose: () => void;
  onReply: () => void;
  onEdit: () => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    box.current?.querySelector<HTMLElement>('button')?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    const onDown = (e: MouseEvent) => box.current && !box.current.contains(e.target as Node) && onClose();
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onDown);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onDown);
    };
  }, [view]);
  const act = (run: () => Promise<unknown>) => () => {
    onClose();
    void run();
  };
  if (view === 'react') {
    return (
      <div class="msg-menu reaction-picker" role="menu" aria-label={t('bubble.react')} data-testid="reaction-picker" ref={box}>
        {QUICK_REACTIONS.map((emoji) => (
          <button key={emoji} type="button" role="menuitem" class="emoji" aria-label={t('bubble.reactWith', { emoji })} onClick={act(() => store.messages.toggleReaction(m, emoji))}>
            {emoji}
          </button>
        ))}
      </div>
    );
  }
  const editable = mine && m.kind === 'text';
  return (
    <div class="msg-menu" role="menu" aria-label={t('bubble.actions')} data-testid="message-menu" ref={box}>
      <button type="button" role="menuitem" onClick={onReply}>
        {t('bubble.reply')}
      </button>
      <button type="button" role="menuitem" onClick={onReact}>
        {t('bubble.react')}
      </button>
      {editable && (
        <button type="button" role="menuitem" onClick={onEdit}>
          {t('bubble.edit')}
        </button>
      )}
      {store.messages.mayRecall(m) && (
        <button type="button" role="menuitem" onClick={act(() => store.messages.recall(m))}>
          {t('bubble.recall')}
        </button>
      )}
      <button type="button" role="menuitem" class="danger" onClick={act(() => store.messages.deleteForMe(m))}>
        {t('bubble.deleteForMe')}
      </button>
    </div>
  );
}

/** Editing a message in place: Enter saves, Shift+Enter adds a line, Escape cancels. */
function InlineEditor({ initial, onSave, onCancel }: { initial: string; onSave: (text: string) => Promise<unknown>; onCancel: () => void }) {
  const [text, setText] = useState(initial);
  const input = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const save = () => {
    const value = text.trim();
    if (value) void onSave(value);
  };
  return (
    <form
      class="inline-editor"
      data-testid="inline-editor"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <textarea
        ref={input}
        aria-label={t('bubble.editMessage')}
        value={text}
        maxLength={MAX_TEXT_LENGTH}
        rows={Math.min(6, text.split('\n').length)}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel();
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            save();
          }
        }}
      />
      <span class="inline-editor-actions">
        <button type="button" class="link" onClick={onCancel}>
          {t('contacts.cancel')}
        </button>
        <button type="submit" class="link" disabled={!text.trim()}>
          {t('profile.save')}
        </button>
      </span>
    </form>
  );
}
