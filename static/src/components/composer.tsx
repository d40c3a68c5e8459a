import { useEffect, useRef, useState } from 'preact/hooks';
import { MAX_TEXT_LENGTH } from '@parley/protocol';
import type { ChatStore } from '../store';

const EMOJI = ['😀', '😂', '😊', '😍', '🥰', '😎', '🤔', '😅', '😭', '😮', '😴', '🙄', '👍', '👎', '👏', '🙏', '💪', '👋', '🎉', '🔥', '❤️', '💯', '✅', '❌', '👀', '🤝', '☕', '🍕', '🚀', '🌟', '😇', '🤗'];

/** Drafts survive switching chats and reconnects: typed text is never thrown away by the app. */
const drafts = new Map<string, string>();

interface Props {
  store: ChatStore;
  conversationId: string;
  offline: boolean;
}

/** The message box: Enter sends, Shift+Enter adds a line, an emoji picker inserts at the caret. */
export function Composer({ store, conversationId, offline }: Props) {
  const [text, setText] = useState(drafts.get(conversationId) ?? '');
  const [picker, setPicker] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    setText(drafts.get(conversationId) ?? '');
    setPicker(false);
    input.current?.focus();
  }, [conversationId]);

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
    store.send(conversationId, body.slice(0, MAX_TEXT_LENGTH));
    update('');
    drafts.delete(conversationId);
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
      {picker && (
        <div class="emoji-picker" role="dialog" aria-label="Emoji" onKeyDown={(e) => e.key === 'Escape' && (setPicker(false), input.current?.focus())}>
          {EMOJI.map((emoji) => (
            <button key={emoji} type="button" class="emoji" onClick={() => insert(emoji)} aria-label={`Insert ${emoji}`}>
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
        <button type="button" class="icon" aria-label="Emoji" aria-expanded={picker} onClick={() => setPicker(!picker)}>
          😊
        </button>
        <textarea
          ref={input}
          rows={1}
          placeholder="Write a message…"
          aria-label="Message"
          maxLength={MAX_TEXT_LENGTH}
          value={text}
          onInput={(e) => update(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
        <button type="submit" class="send" aria-label="Send" disabled={!text.trim()}>
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <path d="M3 20.5 21 12 3 3.5 3 10l12 2-12 2z" fill="currentColor" />
          </svg>
        </button>
      </form>
    </div>
  );
}
