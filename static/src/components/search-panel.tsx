import { t } from '../i18n';
import { useState } from 'preact/hooks';
import type { Message } from '@parley/protocol';
import { shortWhen } from '../format';
import { previewText } from '../messages/message-preview';
import type { ChatStore, State } from '../store';
import { useDebouncedSearch } from '../use-debounced-search';
import { conversationTitle } from './conversation-list';
import { Modal } from './modal';

interface Props {
  store: ChatStore;
  state: State;
  onClose: () => void;
  /** A result was picked: the panel closes and the chat opens at the message. */
  onOpen: (m: Message) => void;
}

/** The text around the first match, so a long message shows where it matched. */
function snippet(text: string, q: string): { before: string; match: string; after: string } {
  const at = text.toLowerCase().indexOf(q.toLowerCase());
  if (at < 0) return { before: text.slice(0, 120), match: '', after: '' };
  const from = Math.max(0, at - 40);
  return { before: (from > 0 ? '…' : '') + text.slice(from, at), match: text.slice(at, at + q.length), after: text.slice(at + q.length, at + q.length + 80) };
}

/** Search in every conversation I belong to: results newest first with their chat and a snippet; "Load more" pages back. */
export function SearchPanel({ store, state, onClose, onOpen }: Props) {
  const [q, setQ] = useState(state.search.q);
  useDebouncedSearch(
    q,
    (query) => void store.finder.search(query),
    () => store.finder.clear(),
  );
  const { results, loading, error, next } = state.search;
  const searched = state.search.q;
  return (
    <Modal title={t('list.searchMessages')} onClose={onClose} side testId="search-panel">
      <div class="search">
        <input type="search" placeholder={t('search.placeholder')} aria-label={t('list.searchMessages')} value={q} onInput={(e) => setQ(e.currentTarget.value)} data-testid="message-search" />
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {searched && !loading && !error && results.length === 0 && <p class="empty muted">No message matches “{searched}”.</p>}
      <ul class="search-results" role="list" aria-label={t('contacts.searchResults')}>
        {results.map((m) => {
          const conv = state.conversations.get(m.conversationId);
          const s = snippet(previewText(m), searched);
          return (
            <li key={m.id}>
              <button type="button" class="search-result" data-testid="message-result" data-message-id={m.id} onClick={() => onOpen(m)}>
                <span class="conv-top">
                  <span class="conv-name">{conv ? conversationTitle(conv) : t('list.conversation')}</span>
                  <time class="conv-time">{shortWhen(m.createdAt)}</time>
                </span>
                <span class="result-text">
                  <span class="result-sender">{m.senderId === state.me.id ? t('search.you') : store.userName(m.senderId)}: </span>
                  {s.before}
                  {s.match && <mark>{s.match}</mark>}
                  {s.after}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {loading && (
        <p class="muted center" role="status">
          <span class="spinner" aria-hidden="true" /> Searching…
        </p>
      )}
      {next && !loading && (
        <button type="button" class="load-more" onClick={() => void store.finder.more()} data-testid="search-more">
          {t('search.more')}
        </button>
      )}
    </Modal>
  );
}
