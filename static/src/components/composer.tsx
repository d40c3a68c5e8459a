import { t } from '../i18n';
import { useEffect, useRef, useState } from 'preact/hooks';
import { MAX_TEXT_LENGTH, type Message } from '@parley/protocol';
import { insertMention, mentionAt, mentionCandidates, mentionsIn, type MentionCandidate } from '../messages/mentions';
import { previewText } from '../messages/message-preview';
import type { ChatStore } from '../store';

const EMOJI = ['😀', '😂', '😊', '😍', '🥰', '😎', '🤔', '😅', '😭', '😮', '😴', '🙄', '👍', '👎', '👏', '🙏', '💪', '👋', '🎉', '🔥', '❤️', '💯', '✅', '❌', '👀', '🤝', '☕', '🍕', '🚀', '🌟', '😇', '🤗'];

/** Drafts survive switching chats and reconnects: typed text is never thrown away by the app. */
const drafts = new Map<string, string>();

interface Props {
  store: ChatStore;
  conversationId: string;
  offline: boolean;
  /** The message being answered, shown above the box until sent or cancelled. */
  replyTo?: Message;
  onCancelReply: () => void;
  /** Who can be mentioned here (group members; empty in a direct chat). */
  members: readonly MentionCandidate[];
  /** I own or administer the group: `@all` is offered. */
  mayMentionAll: boolean;
}

/**
 * The message box: Enter sends, Shift+Enter adds a line, an emoji picker
 * inserts at the caret; files come from the attach button, a paste or a drop
 * on the chat; "@" in a group suggests members (arrows pick, Enter or Tab
 * takes, Escape closes).
 */
export function Composer({ store, conversationId, offline, replyTo, onCancelReply, members, mayMentionAll }: Props) {
  const [text, setText] = useState(drafts.get(conversationId) ?? '');
  const [picker, setPicker] = useState(false);
  const [caret, setCaret] = useState(0);
  const [choice, setChoice] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number>();
  const picked = useRef<MentionCandidate[]>([]);
  const input = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setText(drafts.get(conversationId) ?? '');
    setPicker(false);
    picked.current = [];
    input.current?.focus();
  }, [conversationId]);

  useEffect(() => {
    if (replyTo) input.current?.focus();
  }, [replyTo?.id]);

  const typing = members.length > 0 ? mentionAt(text, caret) : undefined;
  const suggestions = typing && typing.start !== dismissedAt ? mentionCandidates(members, store.state.me.id, mayMentionAll, typing.query) : [];
  const chosen = Math.min(choice, Math.max(0, suggestions.length - 1));

  const pickMention = (candidate: MentionCandidate) => {
    if (!typing) return;
    const next = insertMention(text, typing.start, caret, candidate);
    picked.current = [...picked.current, candidate];
    update(next.text);
    setCaret(next.caret);
    setChoice(0);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(next.caret, next.caret);
    });
  };

  const attach = (files: readonly File[]) => {
    if (files.length > 0) store.sendFiles(conversationId, files);
  };

  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  }, [text]);

  const update = (value: string) => {
    setText(value);
    drafts.set(conversationId, value);
    if (value.trim()) store.typing(conversationId);
  };

  const send = () => {
    const body = text.trim();
    if (!body) return;
    const sent = body.slice(0, MAX_TEXT_LENGTH);
    store.send(conversationId, sent, { replyTo, mentions: mentionsIn(sent, picked.current) });
    picked.current = [];
    update('');
    drafts.delete(conversationId);
    onCancelReply();
    setPicker(false);
    input.current?.focus();
  };

  const insert = (emoji: string) => {
    const el = input.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const value = text.slice(0, start) + emoji + text.slice(end);
    update(value);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + emoji.length, start + emoji.length);
    });
  };

  return (
    <div class="composer-wrap">
      {offline && <p class="offline-hint">Not connected right now: what you send goes out as soon as the connection is back.</p>}
      {replyTo && (
        <div class="reply-preview" data-testid="reply-preview">
          <span class="reply-bar" aria-hidden="true" />
          <span class="reply-body">
            <span class="quote-sender">Replying to {store.userName(replyTo.senderId)}</span>
            <span class="quote-text">{previewText(replyTo)}</span>
          </span>
          <button type="button" class="icon" aria-label="Cancel reply" data-testid="cancel-reply" onClick={onCancelReply}>
            ✕
          </button>
        </div>
      )}
      {suggestions.length > 0 && (
        <ul class="mention-list" role="listbox" aria-label="Mention someone" data-testid="mention-list">
          {suggestions.map((c, i) => (
            <li
              key={c.id}
              role="option"
              aria-selected={i === chosen}
              class={i === chosen ? 'chosen' : ''}
              data-testid="mention-option"
              data-user-id={c.id}
              onMouseDown={(e) => {
                e.preventDefault();
                pickMention(c);
              }}
            >
              <strong>@{c.name}</strong>
              {c.username && <span class="muted"> {c.username}</span>}
              {c.id === '@all' && <span class="muted"> everyone in this group</span>}
            </li>
          ))}
        </ul>
      )}
      {picker && (
        <div class="emoji-picker" role="dialog" aria-label={t('composer.emoji')} onKeyDown={(e) => e.key === 'Escape' && (setPicker(false), input.current?.focus())}>
          {EMOJI.map((emoji) => (
            <button key={emoji} type="button" class="emoji" onClick={() => insert(emoji)} aria-label={t('composer.insert', { emoji })}>
              {emoji}
            </button>
          ))}
        </div>
      )}
      <form
        class="composer"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <button type="button" class="icon" aria-label={t('composer.emoji')} aria-expanded={picker} onClick={() => setPicker(!picker)}>
          😊
        </button>
        <button type="button" class="icon" aria-label="Attach files" title="Attach files" data-testid="attach-button" onClick={() => fileInput.current?.click()}>
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">
            <path d="M20 11.5 12.3 19.2a5 5 0 0 1-7.1-7.1l8.1-8.1a3.3 3.3 0 0 1 4.7 4.7l-8.1 8.1a1.7 1.7 0 0 1-2.4-2.4l7.4-7.4" />
          </svg>
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            attach([...(e.currentTarget.files ?? [])]);
            e.currentTarget.value = '';
          }}
        />
        <textarea
          ref={input}
          rows={1}
          placeholder={t('composer.placeholder')}
          aria-label={t('composer.message')}
          maxLength={MAX_TEXT_LENGTH}
          value={text}
          onInput={(e) => {
            update(e.currentTarget.value);
            setCaret(e.currentTarget.selectionStart ?? e.currentTarget.value.length);
            setDismissedAt(undefined);
          }}
          onKeyUp={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
          onClick={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
          onPaste={(e) => {
            const files = [...(e.clipboardData?.files ?? [])];
            if (files.length === 0) return;
            e.preventDefault();
            attach(files);
          }}
          onKeyDown={(e) => {
            if (suggestions.length > 0 && typing) {
              if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                e.preventDefault();
                setChoice((chosen + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
                return;
              }
              if ((e.key === 'Enter' || e.key === 'Tab') && !e.isComposing) {
                e.preventDefault();
                const c = suggestions[chosen];
                if (c) pickMention(c);
                return;
              }
              if (e.key === 'Escape') {
                e.preventDefault();
                setDismissedAt(typing.start);
                return;
              }
            }
            if (e.key === 'Escape' && replyTo) onCancelReply();
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
        <button type="submit" class="send" aria-label={t('composer.send')} disabled={!text.trim()}>
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <path d="M3 20.5 21 12 3 3.5 3 10l12 2-12 2z" fill="currentColor" />
          </svg>
        </button>
      </form>
    </div>
  );
}
