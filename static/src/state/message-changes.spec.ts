import { describe, expect, it } from '@jest/globals';
import type { Message } from '@parley/protocol';
import { applyUpdate, ingest, mentionsMe, withReaction } from './message-changes';
import { ME, message } from './test-fixtures';
import type { Thread } from './types';

const EMPTY: Thread = { messages: [], hasMore: true, loading: false, loaded: false };

function entry(seq: number, change: NonNullable<Message['change']>, fields: Partial<Message> = {}): Message {
  return message(seq, { id: `e${seq}`, kind: 'change', change, body: { text: '' }, clientMsgId: `chg:e${seq}`, ...fields });
}

const texts = (t: Thread) => t.messages.map((m) => m.body.text);

describe('change entries applied to a thread', () => {
  it('keeps content in seq order and never shows a change entry as a message', () => {
    const t = ingest(EMPTY, [message(2), message(1), entry(3, { type: 'reaction', messageId: 'm1', emoji: '👍', on: true })]);
    expect(t.messages.map((m) => m.seq)).toEqual([1, 2]);
  });

  it('appends live messages past the newest held in place, and still sorts a page that arrives out of order', () => {
    let t = ingest(EMPTY, [message(1), message(2)]);
    const before = t.messages;
    t = ingest(t, [message(3)]);
    t = ingest(t, [message(4), message(5, { deleted: true })]);
    expect(t.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(t.messages.slice(0, 2)).toEqual(before);
    expect(t.changeSeq?.get('m5')).toBe(5); // remembered, like any copy taken in
    // An older page, a page not in seq order and a late live message all land in order.
    t = ingest(t, [message(8), message(6)]);
    t = ingest(t, [message(7)]);
    t = ingest({ ...t, messages: t.messages.slice(1) }, [message(1)]);
    expect(t.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 6, 7, 8]);
  });

  it('applies an edit, a reaction and a recall pushed after the message', () => {
    let t = ingest(EMPTY, [message(1)]);
    t = ingest(t, [entry(2, { type: 'edit', messageId: 'm1' }, { body: { text: 'fixed' }, createdAt: 5_000 })]);
    expect(t.messages[0]).toMatchObject({ body: { text: 'fixed' }, editedAt: 5_000 });
    t = ingest(t, [entry(3, { type: 'reaction', messageId: 'm1', emoji: '👍', on: true }, { senderId: 'bob' })]);
    expect(t.messages[0]?.reactions).toEqual([{ emoji: '👍', userIds: ['bob'] }]);
    t = ingest(t, [entry(4, { type: 'recall', messageId: 'm1' })]);
    expect(t.messages[0]).toMatchObject({ recalled: true, body: { text: '' } });
    expect(t.messages[0]?.reactions).toBeUndefined();
  });

  it('removes a message deleted for me', () => {
    const t = ingest(ingest(EMPTY, [message(1), message(2)]), [entry(3, { type: 'delete', messageId: 'm1' }, { senderId: ME.id })]);
    expect(t.messages.map((m) => m.id)).toEqual(['m2']);
  });

  it('skips an entry the held copy already shows (a message:update or a page that came first)', () => {
    let t = ingest(EMPTY, [message(1)]);
    t = applyUpdate(t, { ...message(1), body: { text: 'second edit' }, editedAt: 9 }, 6);
    // The earlier edit's entry arrives late: it must not undo the later one.
    t = ingest(t, [entry(5, { type: 'edit', messageId: 'm1' }, { body: { text: 'first edit' } })]);
    expect(texts(t)).toEqual(['second edit']);
    // A later one still applies.
    t = ingest(t, [entry(7, { type: 'edit', messageId: 'm1' }, { body: { text: 'third edit' } })]);
    expect(texts(t)).toEqual(['third edit']);
  });

  it('ignores a message:update older than what the copy shows', () => {
    let t = applyUpdate(ingest(EMPTY, [message(1)]), { ...message(1), body: { text: 'new' } }, 8);
    t = applyUpdate(t, { ...message(1), body: { text: 'old' } }, 4);
    expect(texts(t)).toEqual(['new']);
  });

  it('takes a page copy of a message only if it is at least as recent as the one held', () => {
    let t = applyUpdate(ingest(EMPTY, [message(3)]), { ...message(3), body: { text: 'edited at 9' } }, 9);
    // An older page (up to seq 5) read before the edit: its copy is stale.
    t = ingest(t, [message(3, { body: { text: 'text 3' } }), message(5)]);
    expect(texts(t)).toEqual(['edited at 9', 'text 5']);
    // A page up to seq 12 (with the edit's target in its updates) is newer.
    t = ingest(t, [message(12)], [{ ...message(3), body: { text: 'edited at 11' } }]);
    expect(texts(t)).toEqual(['edited at 11', 'text 5', 'text 12']);
  });

  it('does not apply a page\'s own change entries twice to the copies in it', () => {
    const reacted = message(1, { reactions: [{ emoji: '👍', userIds: ['bob'] }] });
    const t = ingest(EMPTY, [reacted, entry(2, { type: 'reaction', messageId: 'm1', emoji: '👍', on: true }, { senderId: 'bob' })]);
    expect(t.messages[0]?.reactions).toEqual([{ emoji: '👍', userIds: ['bob'] }]);
  });

  it('keeps replies\' quotes in step with their target: edited, then recalled', () => {
    const reply = message(2, { replyTo: 'm1', quote: { messageId: 'm1', senderId: 'alice', kind: 'text', text: 'text 1' } });
    let t = ingest(EMPTY, [message(1), reply]);
    t = ingest(t, [entry(3, { type: 'edit', messageId: 'm1' }, { body: { text: 'better' } })]);
    expect(t.messages[1]?.quote).toMatchObject({ text: 'better' });
    t = applyUpdate(t, { ...message(1), recalled: true, body: { text: '' } }, 4);
    expect(t.messages[1]?.quote).toMatchObject({ text: '', recalled: true });
  });

  it('updates the quote of a held reply even when the quoted message is not held', () => {
    const reply = message(40, { replyTo: 'm1', quote: { messageId: 'm1', senderId: 'alice', kind: 'text', text: 'text 1' } });
    const t = applyUpdate(ingest(EMPTY, [reply]), { ...message(1), recalled: true, body: { text: '' } }, 41);
    expect(t.messages.map((m) => m.id)).toEqual(['m40']);
    expect(t.messages[0]?.quote).toMatchObject({ recalled: true, text: '' });
  });
});

describe('reactions', () => {
  it('adds users in order, keeps the emoji order, and drops an emoji nobody has left', () => {
    let r = withReaction(undefined, '👍', 'a', true);
    r = withReaction(r, '❤️', 'b', true);
    r = withReaction(r, '👍', 'b', true);
    expect(r).toEqual([
      { emoji: '👍', userIds: ['a', 'b'] },
      { emoji: '❤️', userIds: ['b'] },
    ]);
    r = withReaction(r, '❤️', 'b', false);
    expect(r).toEqual([{ emoji: '👍', userIds: ['a', 'b'] }]);
    expect(withReaction(withReaction(r, '👍', 'a', false), '👍', 'b', false)).toBeUndefined();
  });

  it('changes nothing when the reaction is already on, or already off', () => {
    const r = [{ emoji: '👍', userIds: ['a'] }];
    expect(withReaction(r, '👍', 'a', true)).toEqual(r);
    expect(withReaction(r, '🎉', 'a', false)).toEqual(r);
  });
});

describe('mentions', () => {
  it('mention me by id or with @all from someone else, but not once recalled', () => {
    expect(mentionsMe(message(1, { mentions: [ME.id] }), ME.id)).toBe(true);
    expect(mentionsMe(message(1, { mentions: ['@all'] }), ME.id)).toBe(true);
    expect(mentionsMe(message(1, { mentions: ['bob'] }), ME.id)).toBe(false);
    expect(mentionsMe(message(1, { mentions: ['@all'], senderId: ME.id }), ME.id)).toBe(false);
    expect(mentionsMe(message(1, { mentions: [ME.id], recalled: true }), ME.id)).toBe(false);
  });
});
