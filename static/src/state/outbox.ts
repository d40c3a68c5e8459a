import type { Message } from '@parley/protocol';
import type { Action } from './actions';
import type { Outgoing, OutboxState } from './types';

/**
 * My sends until the server stores them: `sending` while the client library
 * retries, `failed` (with a reason for a person) once it gave up. A message
 * of mine arriving by any road (the ack, a push to another tab, a history
 * page) takes its pending copy away.
 */
export function outboxReducer(state: OutboxState, action: Action): OutboxState {
  switch (action.type) {
    case 'outbox/queued':
      return { outgoing: [...state.outgoing, action.outgoing] };
    case 'outbox/sent':
    case 'outbox/discarded':
      return without(state, new Set([action.clientMsgId]));
    case 'outbox/failed':
      return patch(state, action.clientMsgId, { status: 'failed', error: action.error });
    case 'outbox/retried':
      return patch(state, action.clientMsgId, { status: 'sending', error: undefined });
    case 'message/received':
      return withoutMine(state, [action.message], action.meId);
    case 'history/loaded':
      return action.page ? withoutMine(state, action.page.messages, action.meId) : state;
    default:
      return state;
  }
}

function withoutMine(state: OutboxState, messages: readonly Message[], meId: string): OutboxState {
  const mine = new Set(messages.filter((m) => m.senderId === meId).map((m) => m.clientMsgId));
  return mine.size > 0 ? without(state, mine) : state;
}

function without(state: OutboxState, clientMsgIds: ReadonlySet<string>): OutboxState {
  const outgoing = state.outgoing.filter((o) => !clientMsgIds.has(o.clientMsgId));
  return outgoing.length === state.outgoing.length ? state : { outgoing };
}

function patch(state: OutboxState, clientMsgId: string, change: Pick<Outgoing, 'status' | 'error'>): OutboxState {
  if (!state.outgoing.some((o) => o.clientMsgId === clientMsgId)) return state;
  return { outgoing: state.outgoing.map((o) => (o.clientMsgId === clientMsgId ? { ...o, ...change } : o)) };
}
