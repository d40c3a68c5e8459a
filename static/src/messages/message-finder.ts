import type { ParleyClient } from '@parley/client';
import type { Message } from '@parley/protocol';
import { describe } from '../describe-error';
import type { Action } from '../state/actions';
import type { State } from '../state/types';

/** Results per search page. */
export const SEARCH_PAGE = 20;
/** Messages fetched on each side of a message opened in context. */
const CONTEXT = 20;
/** Pages loaded looking for a quoted message before giving up. */
const QUOTE_PAGES_MAX = 10;

export interface FinderHost {
  readonly client: ParleyClient;
  dispatch(action: Action): void;
  state(): State;
  meId(): string;
  open(conversationId: string): Promise<void>;
  loadOlder(conversationId: string): Promise<void>;
  toast(text: string, tone?: 'info' | 'error'): void;
}

/**
 * Message search and "show me that message": a search result or a quote
 * opens its conversation with the message in view and highlighted, loading
 * history around it when it is not held (the thread becomes a window that
 * fills in newer messages as the reader scrolls down).
 */
export class MessageFinder {
  private nonce = 0;

  constructor(private readonly host: FinderHost) {}

  /** The first page of results for `q` (newest first). */
  async search(q: string): Promise<void> {
    const query = q.normalize('NFKC').trim();
    if (!query) {
      this.host.dispatch({ type: 'search/cleared' });
      return;
    }
    this.host.dispatch({ type: 'search/started', q: query });
    await this.page(query, undefined);
  }

  /** The next page of the query shown. */
  async more(): Promise<void> {
    const { q, next, loading } = this.host.state().search;
    if (!q || !next || loading) return;
    this.host.dispatch({ type: 'search/started', q });
    await this.page(q, next);
  }

  clear(): void {
    this.host.dispatch({ type: 'search/cleared' });
  }

  /** Opens the conversation with the message in view; `seq` known (a search result) loads history around it if needed. */
  async show(conversationId: string, messageId: string, seq?: number): Promise<void> {
    await this.host.open(conversationId);
    if (!this.held(conversationId, messageId)) {
      if (seq !== undefined) await this.loadAround(conversationId, seq);
      else await this.loadBackTo(conversationId, messageId);
    }
    if (this.held(conversationId, messageId)) this.host.dispatch({ type: 'message/focused', conversationId, messageId, nonce: ++this.nonce });
    else this.host.toast('That message is no longer available.');
  }

  /** Fetches the messages after those held, for a window away from the newest. */
  async loadNewer(conversationId: string): Promise<void> {
    const thread = this.host.state().threads.get(conversationId);
    const last = thread?.messages.at(-1);
    if (!thread?.hasNewer || thread.loading || !last) return;
    this.host.dispatch({ type: 'history/requested', conversationId });
    const page = await this.fetch({ conversationId, afterSeq: Math.max(last.seq, thread.coveredTo ?? 0), limit: CONTEXT * 2 });
    this.host.dispatch({ type: 'history/loaded', conversationId, page, meId: this.host.meId(), newer: true });
  }

  /** Back to the newest messages from a window further up. */
  async showLatest(conversationId: string): Promise<void> {
    const page = await this.fetch({ conversationId, limit: CONTEXT * 2 });
    if (page) this.host.dispatch({ type: 'history/around', conversationId, page, hasOlder: page.hasMore, hasNewer: false, meId: this.host.meId() });
  }

  private async page(q: string, before: string | undefined): Promise<void> {
    try {
      const { results, next } = await this.host.client.command('message:search', { q, limit: SEARCH_PAGE, ...(before ? { before } : {}) });
      this.host.dispatch({ type: 'search/loaded', q, results: results.map((r) => r.message), next, append: before !== undefined });
    } catch (err) {
      this.host.dispatch({ type: 'search/failed', q, error: describe(err) });
    }
  }

  private async loadAround(conversationId: string, seq: number): Promise<void> {
    const [older, newer] = await Promise.all([
      this.fetch({ conversationId, beforeSeq: seq + 1, limit: CONTEXT }),
      this.fetch({ conversationId, afterSeq: seq, limit: CONTEXT }),
    ]);
    if (!older || !newer) return;
    const updates = [...(older.updates ?? []), ...(newer.updates ?? [])];
    const page = { messages: [...older.messages, ...newer.messages], hasMore: false, throughSeq: newer.throughSeq, updates };
    this.host.dispatch({ type: 'history/around', conversationId, page, hasOlder: older.hasMore, hasNewer: newer.hasMore, meId: this.host.meId() });
  }

  /** A quote names its message by id only: older pages are loaded until it is there (or history ends). */
  private async loadBackTo(conversationId: string, messageId: string): Promise<void> {
    for (let i = 0; i < QUOTE_PAGES_MAX && !this.held(conversationId, messageId); i++) {
      const thread = this.host.state().threads.get(conversationId);
      if (!thread?.hasMore) return;
      await this.host.loadOlder(conversationId);
    }
  }

  private async fetch(input: { conversationId: string; beforeSeq?: number; afterSeq?: number; limit: number }) {
    try {
      return await this.host.client.command('history:fetch', input);
    } catch (err) {
      this.host.toast(describe(err), 'error');
      return undefined;
    }
  }

  private held(conversationId: string, messageId: string): Message | undefined {
    return this.host.state().threads.get(conversationId)?.messages.find((m) => m.id === messageId);
  }
}
