import { isContentKind, type ConversationSummary, type Message, type NewMessageTarget } from '@parley/protocol';
import type { Action } from './actions';
import { groupConversationId } from './groups';
import { updateEntry, withEntries, withEntry, withoutEntries, withoutEntry } from './maps';
import { applyUpdate, ingest, isShown, mentionsMe, newestShown } from './message-changes';
import type { Conversation, ConversationsState, Thread } from './types';

/** A conversation I have not set anything for: notify on all, not muted, not pinned. */
const NO_SETTINGS = { notify: 'all', mutedUntil: null, pinnedAt: null } as const;
const EMPTY_THREAD: Thread = { messages: [], hasMore: true, loading: false, loaded: false };

/**
 * The conversation list (last message, unread count, how far I read, sort
 * key), the messages held per conversation, read receipts and typing.
 */
export function conversationsReducer(state: ConversationsState, action: Action): ConversationsState {
  switch (action.type) {
    case 'conversations/listed':
      return listed(state, action.summaries, action.visible);
    case 'conversation/settings': {
      const { conversationId, notify, mutedUntil, pinnedAt } = action.settings;
      return patchConversation(state, conversationId, (c) => ({ ...c, notify, mutedUntil, pinnedAt }));
    }
    case 'message/received':
      return received(state, action.message, action.meId, action.readNow);
    case 'message/updated':
      return updated(state, action.message, action.entrySeq, action.meId);
    case 'history/requested':
      return patchThread(state, action.conversationId, { loading: true });
    case 'history/loaded': {
      const { conversationId, page } = action;
      if (!page) return patchThread(state, conversationId, { loading: false });
      const thread = ingest(state.threads.get(conversationId) ?? EMPTY_THREAD, page.messages, page.updates);
      const seqs = page.messages.map((m) => m.seq);
      const change: Partial<Thread> = action.newer
        ? { loading: false, hasNewer: page.hasMore, coveredTo: Math.max(thread.coveredTo ?? 0, page.throughSeq, ...seqs) }
        : { loading: false, hasMore: page.hasMore, loaded: true, coveredFrom: Math.min(thread.coveredFrom ?? Infinity, ...seqs) };
      return withLast({ ...state, threads: withEntry(state.threads, conversationId, { ...thread, ...change }) }, conversationId);
    }
    case 'history/around': {
      const { conversationId, page } = action;
      const before = state.threads.get(conversationId) ?? EMPTY_THREAD;
      const fresh: Thread = { ...EMPTY_THREAD, firstUnreadSeq: before.firstUnreadSeq };
      const seqs = page.messages.map((m) => m.seq);
      const thread = {
        ...ingest(fresh, page.messages, page.updates),
        loaded: true,
        hasMore: action.hasOlder,
        hasNewer: action.hasNewer,
        coveredFrom: seqs.length > 0 ? Math.min(...seqs) : undefined,
        // The newer half's end: past seqs hidden from this user, so "newer" loads start after them.
        coveredTo: Math.max(page.throughSeq, ...seqs),
      };
      return { ...state, threads: withEntry(state.threads, conversationId, thread) };
    }
    case 'message/focused':
      return { ...state, focus: { conversationId: action.conversationId, messageId: action.messageId, nonce: action.nonce } };
    case 'history/none':
      return patchThread(state, action.conversationId, { loaded: true, hasMore: false });
    case 'receipt/received': {
      const r = action.receipt;
      if (r.userId === action.meId) {
        // I read it on another device.
        const conv = state.conversations.get(r.conversationId);
        if (!conv || r.readSeq <= conv.readSeq) return state;
        const unread = unreadAfter(conv, state.threads.get(conv.id), r.readSeq, action.meId);
        const next = { ...conv, readSeq: r.readSeq, unread, mentioned: unread > 0 && conv.mentioned };
        return { ...state, conversations: withEntry(state.conversations, conv.id, next) };
      }
      return { ...state, readBy: withReader(state.readBy, r.conversationId, r.userId, r.readSeq) };
    }
    case 'typing/started': {
      const who = withEntry(state.typing.get(action.conversationId) ?? new Map<string, number>(), action.userId, action.until);
      return { ...state, typing: withEntry(state.typing, action.conversationId, who) };
    }
    case 'typing/expired': {
      const typing = withEntries(
        state.typing,
        [...state.typing].map(([id, who]) => [id, withoutEntries(who, [...who].filter(([, until]) => until <= action.now).map(([userId]) => userId))] as const),
      );
      return typing === state.typing ? state : { ...state, typing };
    }
    case 'conversation/opened': {
      const id = action.conversationId;
      if (!id) return state.activeId === undefined ? state : { ...state, activeId: undefined };
      const conv = state.conversations.get(id);
      const thread = state.threads.get(id) ?? EMPTY_THREAD;
      const firstUnreadSeq = conv && conv.unread > 0 ? conv.readSeq + 1 : undefined;
      return { ...state, activeId: id, threads: withEntry(state.threads, id, { ...thread, firstUnreadSeq }) };
    }
    case 'conversation/read': {
      const conv = state.conversations.get(action.conversationId);
      const seq = latestSeq(state, action.conversationId);
      if (!conv || seq <= 0 || (conv.unread === 0 && !conv.mentioned && seq <= conv.readSeq)) return state;
      const next = { ...conv, unread: 0, mentioned: false, readSeq: Math.max(conv.readSeq, seq) };
      return { ...state, conversations: withEntry(state.conversations, conv.id, next) };
    }
    case 'direct/opened': {
      if (state.conversations.has(action.conversationId)) return state;
      const conv: Conversation = { id: action.conversationId, type: 'direct', peer: action.user, activityAt: action.at, unread: 0, readSeq: 0, mentioned: false, ...NO_SETTINGS };
      return { ...state, conversations: withEntry(state.conversations, conv.id, conv) };
    }
    case 'outbox/queued':
      return patchConversation(state, action.outgoing.conversationId, (c) => ({ ...c, activityAt: action.outgoing.createdAt }));
    case 'outbox/sent':
      // My own message is read by me.
      return patchConversation(state, action.conversationId, (c) => (action.seq > c.readSeq ? { ...c, readSeq: action.seq } : c));
    case 'group/event':
      return patchConversation(state, groupConversationId(action.event.group.id), (c) => ({ ...c, group: action.event.group }));
    case 'group/loaded':
      return patchConversation(state, groupConversationId(action.groupId), (c) => ({ ...c, group: action.details.group }));
    case 'group/created': {
      const id = groupConversationId(action.group.id);
      const conv: Conversation = { id, type: 'group', group: action.group, activityAt: action.at, unread: 0, readSeq: 0, mentioned: false, ...NO_SETTINGS };
      return { ...state, conversations: withEntry(state.conversations, id, conv) };
    }
    case 'group/left': {
      const id = groupConversationId(action.groupId);
      const conversations = withoutEntry(state.conversations, id);
      const activeId = state.activeId === id ? undefined : state.activeId;
      return conversations === state.conversations && activeId === state.activeId ? state : { ...state, conversations, activeId };
    }
    default:
      return state;
  }
}

/** Whether a message adds to the conversation's unread count (someone else's content, past how far I read; never a change entry). */
export function countsAsUnread(conv: Conversation, m: Message, meId: string): boolean {
  return isShown(m) && !m.recalled && m.senderId !== meId && m.seq > conv.readSeq;
}

/**
 * Unread after I read up to `readSeq` elsewhere: the messages held past it
 * that count; without any held, at most what was counted and what seqs allow.
 */
function unreadAfter(conv: Conversation, thread: Thread | undefined, readSeq: number, meId: string): number {
  if (readSeq >= (conv.last?.seq ?? 0)) return 0;
  const held = (thread?.messages ?? []).filter((m) => m.seq > readSeq);
  if (held.length > 0) return held.filter((m) => countsAsUnread({ ...conv, readSeq }, m, meId)).length;
  return Math.min(conv.unread, (conv.last?.seq ?? 0) - readSeq);
}

/**
 * A message from the log: content joins its thread and the list (last
 * message, unread, the "@" marker); a change entry changes the message it
 * targets, and never counts as unread nor moves the chat up the list.
 */
function received(state: ConversationsState, m: Message, meId: string, readNow: boolean): ConversationsState {
  const thread = state.threads.get(m.conversationId) ?? EMPTY_THREAD;
  if (!isContentKind(m.kind)) {
    const next = ingest(thread, [m]);
    if (next === thread) return state;
    const recalled = m.change?.type === 'recall' ? next.messages.find((t) => t.id === m.change?.messageId) : undefined;
    const threads = withEntry(state.threads, m.conversationId, next);
    return withLast({ ...state, threads, conversations: recounted(state.conversations, threads, recalled, meId) }, m.conversationId);
  }
  const conv = state.conversations.get(m.conversationId);
  const unread = conv !== undefined && countsAsUnread(conv, m, meId) && !readNow;
  const conversations = conv
    ? withEntry(state.conversations, conv.id, {
        ...conv,
        last: newest(conv.last, m),
        activityAt: Math.max(conv.activityAt, m.createdAt),
        unread: unread ? conv.unread + 1 : conv.unread,
        mentioned: conv.mentioned || (unread && mentionsMe(m, meId)),
      })
    : state.conversations;
  // A message from someone ends their typing indicator.
  const typing = updateEntry(state.typing, m.conversationId, (who) => withoutEntry(who, m.senderId));
  // A window away from the newest (opened from search) takes no new messages: they are fetched on reaching its end.
  const threads = thread.hasNewer ? state.threads : withEntry(state.threads, m.conversationId, ingest(thread, [m]));
  return { ...state, conversations, typing, threads };
}

/** `message:update`: the thread's copy and the list's last message follow the server's state. */
function updated(state: ConversationsState, m: Message, entrySeq: number, meId: string): ConversationsState {
  const thread = state.threads.get(m.conversationId);
  const threads = thread ? withEntry(state.threads, m.conversationId, applyUpdate(thread, m, entrySeq)) : state.threads;
  const conversations = recounted(state.conversations, threads, m, meId);
  const conv = conversations.get(m.conversationId);
  if (!conv || conv.last?.id !== m.id) return threads === state.threads && conversations === state.conversations ? state : { ...state, threads, conversations };
  // Deleted for me: the preview falls back to the newest message still shown (a list refresh corrects it otherwise).
  const last = m.deleted ? newestShown(threads.get(m.conversationId)) : m;
  return { ...state, threads, conversations: withEntry(conversations, conv.id, { ...conv, last }) };
}

/**
 * Unread and the "@" marker once an unread message is recalled: counted again
 * from the messages held, as the server's digest leaves recalled ones out.
 * Without any held past the read mark, the counts stay (a list refresh corrects them).
 */
function recounted(
  conversations: ConversationsState['conversations'],
  threads: ConversationsState['threads'],
  m: Message | undefined,
  meId: string,
): ConversationsState['conversations'] {
  const conv = m?.recalled ? conversations.get(m.conversationId) : undefined;
  if (!m || !conv || m.senderId === meId || m.seq <= conv.readSeq || conv.unread === 0) return conversations;
  const thread = threads.get(conv.id);
  if (!thread?.messages.some((t) => t.seq > conv.readSeq)) return conversations;
  const unread = unreadAfter(conv, thread, conv.readSeq, meId);
  const mentioned = conv.mentioned && thread.messages.some((t) => countsAsUnread(conv, t, meId) && mentionsMe(t, meId));
  if (unread === conv.unread && mentioned === conv.mentioned) return conversations;
  return withEntry(conversations, conv.id, { ...conv, unread, mentioned });
}

/** The list's last message kept in step with the thread's copy of it (edited, recalled, reacted to). */
function withLast(state: ConversationsState, conversationId: string): ConversationsState {
  const conv = state.conversations.get(conversationId);
  const lastId = conv?.last?.id;
  if (!conv || lastId === undefined) return state;
  const thread = state.threads.get(conversationId);
  const copy = thread?.messages.find((m) => m.id === lastId);
  if (copy === conv.last) return state;
  if (!copy) {
    // Held once (it has a change seq) and gone now: deleted for me; the preview falls back to the newest still shown.
    if (!thread?.changeSeq?.has(lastId)) return state;
    return { ...state, conversations: withEntry(state.conversations, conv.id, { ...conv, last: newestShown(thread) }) };
  }
  return { ...state, conversations: withEntry(state.conversations, conv.id, { ...conv, last: copy }) };
}

/** The newest seq held for a conversation: its last message or the last one loaded. */
export function latestSeq(state: Pick<ConversationsState, 'conversations' | 'threads'>, conversationId: string): number {
  const messages = state.threads.get(conversationId)?.messages ?? [];
  return Math.max(messages[messages.length - 1]?.seq ?? 0, state.conversations.get(conversationId)?.last?.seq ?? 0);
}

/** Where a message written in this conversation goes. */
export function targetOf(conv: Conversation): NewMessageTarget {
  return conv.type === 'group' && conv.group ? { type: 'group', id: conv.group.id } : { type: 'user', id: conv.peer?.id ?? '' };
}

export function newest(a: Message | undefined, b: Message | undefined): Message | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.seq >= a.seq ? b : a;
}

/**
 * The server's list merged into ours: each summary updates or adds its
 * conversation (the open one in a visible tab stays read); conversations I
 * left or was removed from disappear, a new local DM without messages stays.
 */
function listed(state: ConversationsState, summaries: readonly ConversationSummary[], visible: boolean): ConversationsState {
  let readBy = state.readBy;
  const conversations = new Map(state.conversations);
  for (const s of summaries) {
    // "Seen" survives a reload: the list says how far the peer has read.
    if (s.peer && s.peerReadSeq) readBy = withReader(readBy, s.conversationId, s.peer.id, s.peerReadSeq);
    const existing = conversations.get(s.conversationId);
    const last = s.lastMessage ?? undefined;
    const active = state.activeId === s.conversationId && visible;
    conversations.set(s.conversationId, {
      id: s.conversationId,
      type: s.type,
      peer: s.peer,
      group: s.group,
      last: newest(existing?.last, last),
      activityAt: Math.max(existing?.activityAt ?? 0, last?.createdAt ?? s.group?.createdAt ?? 0),
      unread: active ? 0 : s.unread,
      mentioned: !active && s.mentioned,
      readSeq: Math.max(s.readSeq, existing?.readSeq ?? 0),
      notify: s.notify,
      mutedUntil: s.mutedUntil,
      pinnedAt: s.pinnedAt,
    });
  }
  const listedIds = new Set(summaries.map((s) => s.conversationId));
  for (const [id, conv] of conversations) {
    if (!listedIds.has(id) && (conv.type === 'group' || conv.last)) conversations.delete(id);
  }
  return { ...state, conversations, readBy };
}

function withReader(readBy: ConversationsState['readBy'], conversationId: string, userId: string, readSeq: number): ConversationsState['readBy'] {
  const readers = readBy.get(conversationId) ?? new Map<string, number>();
  return withEntry(readBy, conversationId, withEntry(readers, userId, Math.max(readers.get(userId) ?? 0, readSeq)));
}

function patchThread(state: ConversationsState, conversationId: string, change: Partial<Thread>): ConversationsState {
  const thread = state.threads.get(conversationId) ?? EMPTY_THREAD;
  return { ...state, threads: withEntry(state.threads, conversationId, { ...thread, ...change }) };
}

function patchConversation(state: ConversationsState, id: string, update: (c: Conversation) => Conversation): ConversationsState {
  const conversations = updateEntry(state.conversations, id, update);
  return conversations === state.conversations ? state : { ...state, conversations };
}
