import type { Message, MessageChange, QUOTE_SNIPPET_LENGTH, Reaction } from '@parley/protocol';

/** The protocol's snippet length, checked by type only: importing the value would pull the protocol's zod schemas into the client bundle. */
const QUOTE_LENGTH: typeof QUOTE_SNIPPET_LENGTH = 140;

/**
 * What a `change` entry does to the message it targets, worked out on the
 * client. The server's own state (a `message:update`, a page's messages and
 * `updates`) is preferred whenever the client has it; this is the fallback
 * for an entry that came without one (the target's state hidden from the
 * reader, or an older server), and gives the same result.
 */
export function applyChange(target: Message, entry: Message): Message {
  const change = entry.change;
  if (!change || change.messageId !== target.id) return target;
  switch (change.type) {
    case 'edit':
      if (target.recalled) return target;
      return { ...target, body: { ...target.body, text: entry.body.text }, editedAt: entry.createdAt };
    case 'recall':
      return tombstone(target);
    case 'reaction':
      return target.recalled ? target : { ...target, reactions: toggleReaction(target.reactions ?? [], change, entry.senderId) };
    case 'delete':
      return { ...target, deleted: true };
  }
}

/** A recalled message as every reader sees it: no text, no attachment, no reactions or mentions; kind kept. */
export function tombstone(message: Message): Message {
  const { reactions: _reactions, mentions: _mentions, editedAt: _editedAt, ...rest } = message;
  return { ...rest, body: { text: '' }, recalled: true };
}

/**
 * A reply's quote after the message it answers was edited or recalled, as
 * the server would now answer it (the new text cut to the snippet length; a
 * recalled target's quote empty). Undefined when the reply is unchanged.
 */
export function requote(reply: Message, entry: Message): Message | undefined {
  const quote = reply.quote;
  const change = entry.change;
  if (!quote || !change || quote.messageId !== change.messageId || quote.recalled) return undefined;
  if (change.type === 'recall') {
    const { attachment: _attachment, ...rest } = quote;
    return { ...reply, quote: { ...rest, text: '', recalled: true } };
  }
  if (change.type !== 'edit') return undefined;
  const text = Array.from(entry.body.text).slice(0, QUOTE_LENGTH).join('');
  return text === quote.text ? undefined : { ...reply, quote: { ...quote, text } };
}

/** Reactions in first-appearance order; an emoji with no user left goes away. */
function toggleReaction(reactions: readonly Reaction[], change: MessageChange, userId: string): Reaction[] | undefined {
  const emoji = change.emoji;
  if (emoji === undefined) return [...reactions];
  const on = change.on !== false;
  const next: Reaction[] = [];
  let found = false;
  for (const r of reactions) {
    if (r.emoji !== emoji) {
      next.push(r);
      continue;
    }
    found = true;
    const others = r.userIds.filter((u) => u !== userId);
    const userIds = on ? [...others, ...(r.userIds.includes(userId) ? [] : [userId])] : others;
    // Already on: the order stays as it was.
    if (on && r.userIds.includes(userId)) next.push(r);
    else if (userIds.length > 0) next.push({ emoji, userIds });
  }
  if (!found && on) next.push({ emoji, userIds: [userId] });
  return next.length > 0 ? next : undefined;
}
