import { MENTION_ALL, QUOTE_SNIPPET_LENGTH, isContentKind, type Message, type Reaction } from '@parley/protocol';
import type { Thread } from './types';

/**
 * Changes to messages as the web client applies them. The server's log
 * carries a `change` entry for every edit, recall, reaction and deletion (for
 * me), and pushes the target's new state in `message:update`; pages of history
 * carry the targets' current state. Whichever arrives first wins, and nothing
 * older undoes it: each message copy remembers the highest log seq it
 * reflects (`Thread.changeSeq`), and a change at or below it is skipped.
 */

/** A message a chat shows: content, not deleted for me. */
export function isShown(m: Message): boolean {
  return isContentKind(m.kind) && !m.deleted;
}

/** Whether the message mentions me: by id, or `@all` from someone else. */
export function mentionsMe(m: Message, meId: string): boolean {
  if (m.senderId === meId || m.recalled || !m.mentions) return false;
  return m.mentions.includes(meId) || m.mentions.includes(MENTION_ALL);
}

/** The reactions after one user put an emoji on or took it off; first-appearance order kept, empty emoji dropped. */
export function withReaction(reactions: readonly Reaction[] | undefined, emoji: string, userId: string, on: boolean): Reaction[] | undefined {
  const list = [...(reactions ?? [])];
  const i = list.findIndex((r) => r.emoji === emoji);
  const current = list[i];
  if (on) {
    if (!current) list.push({ emoji, userIds: [userId] });
    else if (!current.userIds.includes(userId)) list[i] = { emoji, userIds: [...current.userIds, userId] };
    else return reactions ? [...reactions] : undefined;
  } else {
    if (!current || !current.userIds.includes(userId)) return reactions ? [...reactions] : undefined;
    const userIds = current.userIds.filter((id) => id !== userId);
    if (userIds.length > 0) list[i] = { emoji, userIds };
    else list.splice(i, 1);
  }
  return list.length > 0 ? list : undefined;
}

/** The target as a change entry leaves it (the entry alone; `message:update` brings the server's own copy). */
export function applyEntry(target: Message, entry: Message): Message {
  const change = entry.change;
  if (!change || change.messageId !== target.id) return target;
  switch (change.type) {
    case 'edit':
      return target.recalled ? target : { ...target, body: { ...target.body, text: entry.body.text }, editedAt: entry.createdAt };
    case 'recall':
      return { ...target, recalled: true, body: { text: '' }, reactions: undefined, mentions: undefined, editedAt: undefined };
    case 'reaction':
      return change.emoji === undefined || target.recalled
        ? target
        : { ...target, reactions: withReaction(target.reactions, change.emoji, entry.senderId, change.on ?? true) };
    case 'delete':
      return { ...target, deleted: true };
  }
}

/** A reply's quote brought up to date with the message it quotes. */
export function requoted(reply: Message, target: Message): Message {
  const quote = reply.quote;
  if (!quote || quote.messageId !== target.id) return reply;
  const text = target.recalled ? '' : target.body.text.slice(0, QUOTE_SNIPPET_LENGTH);
  const recalled = target.recalled ? true : undefined;
  const attachment = target.recalled ? undefined : target.body.attachment;
  if (quote.text === text && quote.recalled === recalled && quote.attachment === attachment) return reply;
  return { ...reply, quote: { ...quote, text, recalled, attachment } };
}

/**
 * The thread with log entries taken in: content messages placed by seq (a
 * copy replaces the one held unless that one already shows a later change),
 * `updates` (targets' current state) likewise, and change entries applied to
 * the messages they target when newer than what those show. Messages
 * deleted for me leave. Replies' quotes follow their targets.
 */
export function ingest(thread: Thread, incoming: readonly Message[], updates: readonly Message[] = []): Thread {
  if (incoming.length === 0 && updates.length === 0) return thread;
  const appended = appendedLive(thread, incoming, updates);
  if (appended) return appended;
  const byId = new Map(thread.messages.map((m) => [m.id, m]));
  const changeSeq = new Map(thread.changeSeq ?? []);
  const changed = new Set<string>();
  // Every copy in a page was read after the page's last entry was written: it reflects the log up to there.
  const top = incoming.reduce((max, m) => Math.max(max, m.seq), 0);

  const place = (m: Message, asOf: number) => {
    const held = byId.get(m.id);
    if (held && (changeSeq.get(m.id) ?? 0) > asOf) return;
    if (held && held === m) return;
    byId.set(m.id, m);
    changeSeq.set(m.id, Math.max(changeSeq.get(m.id) ?? 0, asOf));
    if (held) changed.add(m.id);
  };
  for (const m of incoming) if (isContentKind(m.kind)) place(m, Math.max(top, m.seq));
  for (const u of updates) if (byId.has(u.id)) place(u, top);
  for (const entry of [...incoming].sort((a, b) => a.seq - b.seq)) {
    const targetId = entry.change?.messageId;
    const target = targetId === undefined ? undefined : byId.get(targetId);
    if (!target || entry.seq <= (changeSeq.get(target.id) ?? 0)) continue;
    byId.set(target.id, applyEntry(target, entry));
    changeSeq.set(target.id, entry.seq);
    changed.add(target.id);
  }
  return finish(thread, byId, changeSeq, changed);
}

/**
 * The common live case, new content past everything held (the log's next
 * messages): appended as they are, without rebuilding the thread and sorting
 * it again. Anything else (older pages, changes, updates) returns undefined.
 */
function appendedLive(thread: Thread, incoming: readonly Message[], updates: readonly Message[]): Thread | undefined {
  if (updates.length > 0) return undefined;
  let last = thread.messages.at(-1)?.seq ?? 0;
  for (const m of incoming) {
    if (!isContentKind(m.kind) || m.seq <= last) return undefined;
    last = m.seq;
  }
  const changeSeq = new Map(thread.changeSeq ?? []);
  for (const m of incoming) changeSeq.set(m.id, Math.max(changeSeq.get(m.id) ?? 0, last));
  return { ...thread, messages: [...thread.messages, ...incoming.filter(isShown)], changeSeq };
}

/** The thread after `message:update`: the server's copy of the target, unless the copy held already shows a later change. */
export function applyUpdate(thread: Thread, message: Message, entrySeq: number): Thread {
  const held = thread.messages.find((m) => m.id === message.id);
  const byId = new Map(thread.messages.map((m) => [m.id, m]));
  const changeSeq = new Map(thread.changeSeq ?? []);
  if (held) {
    if (entrySeq <= (changeSeq.get(message.id) ?? 0)) return thread;
    byId.set(message.id, message);
    changeSeq.set(message.id, entrySeq);
  } else if (!thread.messages.some((m) => m.quote?.messageId === message.id)) {
    return thread;
  }
  return finish(thread, byId, changeSeq, new Set([message.id]), message);
}

/** The newest message the thread shows (for the conversation list's preview). */
export function newestShown(thread: Thread | undefined): Message | undefined {
  return thread?.messages.at(-1);
}

function finish(thread: Thread, byId: Map<string, Message>, changeSeq: Map<string, number>, changed: ReadonlySet<string>, outside?: Message): Thread {
  const targets = [...changed].flatMap((id) => {
    const m = byId.get(id) ?? (outside?.id === id ? outside : undefined);
    return m ? [m] : [];
  });
  if (outside) targets.push(outside);
  const messages: Message[] = [];
  for (const m of byId.values()) {
    if (!isShown(m)) continue;
    let shown = m;
    for (const target of targets) shown = requoted(shown, target);
    messages.push(shown);
  }
  messages.sort((a, b) => a.seq - b.seq);
  return { ...thread, messages, changeSeq };
}
