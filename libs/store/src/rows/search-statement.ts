import type { MessageSearchQuery } from '@parley/domain';
import { VISIBLE, messageSelect } from './messages';

/** A global search tests at most this many candidates: the newest of the viewer's conversations. */
export const SEARCH_CANDIDATES = 5_000;
/** A search within one conversation tests its newest this many seqs. */
export const SEARCH_CONVERSATION_SEQS = 50_000;

/** An engine's full-text index for a query: joined to `messages m`, its condition and the condition's parameter. */
export interface SearchIndex {
  join: string;
  match: string;
  param: string;
}

/** An engine's exact substring test on `m.search_text` (false on NULL) and its parameter. */
export interface SearchConfirm {
  sql: string;
  param: string;
}

/**
 * searchMessages's statement on both engines; bind `params`. Bounded work:
 * candidates come from the viewer's conversations first (joined before
 * anything else is read): within one conversation its newest
 * SEARCH_CONVERSATION_SEQS seqs, tested without the index, which would find
 * the whole table's matches; globally the index's matches (or, for a query
 * too short for it, the messages) of the viewer's conversations, newest
 * first, at most SEARCH_CANDIDATES. Only candidates are read in full,
 * confirmed as substrings and checked for visibility.
 */
export function searchStatement(
  viewerId: string,
  query: MessageSearchQuery,
  confirm: SearchConfirm,
  index: SearchIndex | null,
): { sql: string; params: unknown[] } {
  const before = query.beforeId === undefined ? '' : ' AND m.id < ?';
  let candidates: string;
  const params: unknown[] = [];
  if (query.conversationId !== undefined) {
    candidates = `SELECT m.id FROM conversations c
      JOIN conversation_members cm ON cm.conversation_id = c.id AND cm.user_id = ?
      JOIN messages m ON m.conversation_id = c.id AND m.seq > c.last_seq - ${SEARCH_CONVERSATION_SEQS}
      WHERE c.id = ?${before}`;
    params.push(viewerId, query.conversationId);
  } else {
    candidates = `SELECT m.id FROM conversation_members cm JOIN messages m ON m.conversation_id = cm.conversation_id${index ? ` ${index.join}` : ''}
      WHERE cm.user_id = ?${index ? ` AND ${index.match}` : ''}${before}
      ORDER BY m.id DESC LIMIT ${SEARCH_CANDIDATES}`;
    params.push(viewerId, ...(index ? [index.param] : []));
  }
  if (query.beforeId !== undefined) params.push(query.beforeId);
  params.push(confirm.param, viewerId, viewerId, query.limit);
  return {
    sql: `${messageSelect(`(${candidates}) candidates JOIN messages m ON m.id = candidates.id`)}
      WHERE ${confirm.sql} AND ${VISIBLE} ORDER BY m.id DESC LIMIT ?`,
    params,
  };
}
