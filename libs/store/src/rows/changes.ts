import { StoreError, type NewChange } from '@parley/domain';
import type { Message, MessageChange, Reaction } from '@parley/protocol';

/*
 * applyChange's rules, shared by both engines: the engines lock and read,
 * these decide and shape what is written.
 */

/** Distinct emoji one message may carry. */
export const MAX_EMOJI_PER_MESSAGE = 20;
/** Reactions one user may put on one message. */
export const MAX_REACTIONS_PER_USER = 10;

/** The change as the entry's `change` field (and its change_json column). */
export function changeOf(change: NewChange): MessageChange {
  const value: MessageChange = { type: change.type, messageId: change.targetId };
  if (change.type === 'reaction') {
    value.emoji = change.emoji ?? '';
    value.on = change.on ?? true;
  }
  return value;
}

/** The entry appended for a change, given its seq. */
export function changeEntry(change: NewChange, seq: number): Message {
  return {
    id: change.id,
    conversationId: change.conversationId,
    seq,
    senderId: change.actorId,
    kind: 'change',
    body: { text: change.type === 'edit' ? (change.text ?? '') : '' },
    clientMsgId: `chg:${change.id}`,
    createdAt: change.createdAt,
    change: changeOf(change),
  };
}

/** Columns of a change entry's row (the append columns plus the change's own). */
export const CHANGE_ENTRY_COLUMNS =
  'id, conversation_id, seq, sender_id, kind, body, client_msg_id, created_at, target_id, change_type, change_json, visible_to';

export function changeEntryValues(entry: Message, change: NewChange): (string | number | null)[] {
  return [
    entry.id,
    entry.conversationId,
    entry.seq,
    entry.senderId,
    entry.kind,
    JSON.stringify(entry.body),
    entry.clientMsgId,
    entry.createdAt,
    change.targetId,
    change.type,
    JSON.stringify(entry.change),
    // A delete is seen only by the one who deleted.
    change.type === 'delete' ? change.actorId : null,
  ];
}

/** A reaction row as read back, in the order the reactions were put on (their entries' seqs). */
export interface ReactionRow {
  emoji: string;
  user_id: string;
}

/** Reactions grouped by emoji, emoji in first-appearance order, users in the order they reacted. */
export function groupReactions(rows: readonly ReactionRow[]): Reaction[] {
  const byEmoji = new Map<string, string[]>();
  for (const { emoji, user_id } of rows) {
    const users = byEmoji.get(emoji);
    if (users) users.push(user_id);
    else byEmoji.set(emoji, [user_id]);
  }
  return [...byEmoji].map(([emoji, userIds]) => ({ emoji, userIds }));
}

/** The messages.reactions value: JSON, or NULL without reactions. */
export function reactionsJson(reactions: readonly Reaction[]): string | null {
  return reactions.length === 0 ? null : JSON.stringify(reactions);
}

/** Refuses a reaction put on past the limits (the current reactions given, the new one not yet in). */
export function checkReactionLimits(current: readonly Reaction[], userId: string, emoji: string): void {
  if (!current.some((r) => r.emoji === emoji) && current.length >= MAX_EMOJI_PER_MESSAGE) {
    throw new StoreError('too-many-reactions', { limit: `at most ${MAX_EMOJI_PER_MESSAGE} different emoji` });
  }
  const mine = current.filter((r) => r.userIds.includes(userId)).length;
  if (mine >= MAX_REACTIONS_PER_USER) {
    throw new StoreError('too-many-reactions', { limit: `at most ${MAX_REACTIONS_PER_USER} per person` });
  }
}

/** The body a recalled message keeps: no text, no attachment. */
export const RECALLED_BODY = JSON.stringify({ text: '' });

/**
 * What a change does to a target in the state given; `none` when it changes
 * nothing (no entry, no push). Throws the port's refusals.
 */
export type ChangeDecision = 'apply' | 'none';

export function decideChange(change: NewChange, target: Message, reacted: boolean, hidden: boolean): ChangeDecision {
  switch (change.type) {
    case 'edit':
      if (target.kind !== 'text') throw new StoreError('not-editable');
      if (target.recalled) throw new StoreError('message-recalled');
      return target.body.text === (change.text ?? '') ? 'none' : 'apply';
    case 'recall':
      return target.recalled ? 'none' : 'apply';
    case 'reaction':
      if (target.recalled) throw new StoreError('message-recalled');
      return reacted === (change.on ?? true) ? 'none' : 'apply';
    case 'delete':
      return hidden ? 'none' : 'apply';
  }
}
