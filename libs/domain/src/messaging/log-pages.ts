import { isContentKind, type CommandPayload, type CommandResults, type LogPage, type Message } from '@parley/protocol';
import { must } from '@parley/util';
import type { MemberConversation, MessageStore } from '../ports';

/*
 * Pages of a conversation's log as one user sees them. A page covers its
 * range: seqs missing inside it are hidden from this user, not gaps. The
 * store reads only what the viewer may see, so a page shorter than the limit
 * ends its range (which is what keeps a hidden tail from looping hasMore).
 */

/** `sync`: one page per conversation the user is behind in, after `since` or their delivered cursor. */
export async function syncPages(
  store: MessageStore,
  userId: string,
  input: CommandPayload<'sync'>,
): Promise<CommandResults['sync']> {
  const memberships = await store.listMemberConversations(userId);
  const behind = memberships
    .map((membership) => ({ membership, afterSeq: input.since?.[membership.conversationId] ?? membership.deliveredSeq }))
    .filter(({ membership, afterSeq }) => membership.lastSeq > afterSeq);
  const pages = await store.getMessagesAfter(
    userId,
    behind.map(({ membership, afterSeq }) => ({ conversationId: membership.conversationId, afterSeq })),
    input.limit,
  );
  const updates = await updatesOf(store, userId, pages);
  const conversations = behind.map(({ membership }, i) => {
    // One page per range, in the ranges' order (the port's contract).
    const messages = must(pages[i], 'a page of getMessagesAfter');
    const hasMore = hasMoreAfter(messages, input.limit, membership);
    return { conversationId: membership.conversationId, ...logPage(messages, hasMore, throughSeqOf(messages, hasMore, membership.lastSeq), updates[i]) };
  });
  return { conversations };
}

/** `history:fetch`: the newest page, or the page before `beforeSeq` / after `afterSeq`. */
export async function historyPage(
  store: MessageStore,
  userId: string,
  membership: MemberConversation,
  input: CommandPayload<'history:fetch'>,
): Promise<CommandResults['history:fetch']> {
  // Neither bound given: the newest page.
  const beforeSeq = input.beforeSeq ?? (input.afterSeq === undefined ? membership.lastSeq + 1 : undefined);
  const messages = await store.getMessages(userId, input.conversationId, { afterSeq: input.afterSeq, beforeSeq, limit: input.limit });
  const [updates] = await updatesOf(store, userId, [messages]);
  const hasMore = hasMoreInRange(messages, input, membership.lastSeq);
  // Forward pages end where they stop when more follow; otherwise (and going back) at the range's top.
  const upper = beforeSeq !== undefined ? Math.min(beforeSeq - 1, membership.lastSeq) : membership.lastSeq;
  const throughSeq = input.afterSeq !== undefined && hasMore ? must(messages.at(-1), 'a full page').seq : upper;
  return logPage(messages, hasMore, Math.max(throughSeq, messages.at(-1)?.seq ?? 0), updates);
}

function logPage(messages: Message[], hasMore: boolean, throughSeq: number, updates: Message[] | undefined): LogPage {
  return updates && updates.length > 0 ? { messages, hasMore, throughSeq, updates } : { messages, hasMore, throughSeq };
}

/**
 * The highest seq a forward page covers: its last entry when more follow,
 * else the conversation's last seq (the membership was read before the page,
 * so an entry appended in between may lie beyond it).
 */
function throughSeqOf(messages: readonly Message[], hasMore: boolean, lastSeq: number): number {
  const last = messages.at(-1)?.seq ?? 0;
  return hasMore ? last : Math.max(lastSeq, last);
}

/**
 * For each page, the current state of the messages its change entries
 * target that are not in the page themselves (one read for every page).
 */
async function updatesOf(store: MessageStore, viewerId: string, pages: readonly Message[][]): Promise<Message[][]> {
  const wanted = pages.map((page) => {
    const inPage = new Set(page.map((m) => m.id));
    const targets = new Set<string>();
    for (const m of page) {
      const target = m.change?.messageId;
      if (!isContentKind(m.kind) && target !== undefined && !inPage.has(target)) targets.add(target);
    }
    return [...targets];
  });
  const ids = [...new Set(wanted.flat())];
  if (ids.length === 0) return pages.map(() => []);
  const byId = new Map((await store.getMessagesByIds(viewerId, ids)).map((m) => [m.id, m]));
  return wanted.map((targets) => targets.flatMap((id) => byId.get(id) ?? []));
}

/** A full page that stops short of the conversation's last seq: more may follow. */
function hasMoreAfter(messages: readonly Message[], limit: number, membership: MemberConversation): boolean {
  const last = messages.at(-1);
  return last !== undefined && messages.length >= limit && last.seq < membership.lastSeq;
}

function hasMoreInRange(messages: readonly Message[], input: CommandPayload<'history:fetch'>, lastSeq: number): boolean {
  const first = messages[0];
  const last = messages.at(-1);
  if (!first || !last || messages.length < input.limit) return false;
  if (input.afterSeq !== undefined) {
    const upper = input.beforeSeq !== undefined ? Math.min(input.beforeSeq - 1, lastSeq) : lastSeq;
    return last.seq < upper;
  }
  return first.seq > 1;
}
