import { ParleyError, isContentKind, type CommandResults, type MessageSearchInput } from '@parley/protocol';
import type { RateLimiter } from '../limits/rate-limiter';
import type { MessageStore } from '../ports';
import { requireMembership } from './conversation-access';

export interface MessageSearchDeps {
  store: MessageStore;
  /** Searches per user through this node (a scan costs more than a send); over it RATE_LIMITED. */
  limiter: RateLimiter;
}

/** Full-text search over the conversations a user belongs to, newest first, paged by message id. */
export class MessageSearch {
  constructor(private readonly deps: MessageSearchDeps) {}

  async search(viewerId: string, input: MessageSearchInput): Promise<CommandResults['message:search']> {
    const allowed = this.deps.limiter.take(viewerId);
    if (!allowed.ok) throw new ParleyError('RATE_LIMITED', 'searching too fast', { retryAfterMs: allowed.retryAfterMs });
    if (input.conversationId !== undefined) await requireMembership(this.deps.store, viewerId, input.conversationId);
    // One more than asked: whether a next page exists, without counting.
    const found = await this.deps.store.searchMessages(viewerId, {
      q: input.q,
      limit: input.limit + 1,
      ...(input.conversationId !== undefined && { conversationId: input.conversationId }),
      ...(input.before !== undefined && { beforeId: input.before }),
    });
    const page = found.slice(0, input.limit);
    const last = page.at(-1);
    return {
      // The store's rule, held here too: change entries and tombstones are never results.
      results: page.filter((m) => isContentKind(m.kind) && !m.recalled).map((message) => ({ message })),
      ...(found.length > input.limit && last && { next: last.id }),
    };
  }
}
