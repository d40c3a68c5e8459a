import type { Message, MessageChange } from '@parley/protocol';
import { at } from '@parley/testing';
import { ConversationLog, type LogRelease, type MessageUpdate } from './conversation-log';

const text = (seq: number, extra: Partial<Message> = {}): Message => ({
  id: `m${seq}`,
  conversationId: 'g:1',
  seq,
  senderId: 'a',
  kind: 'text',
  body: { text: `text ${seq}` },
  clientMsgId: `c${seq}`,
  createdAt: seq * 1000,
  ...extra,
});

const entry = (seq: number, change: MessageChange, senderId = 'b', newText = ''): Message => ({
  id: `e${seq}`,
  conversationId: 'g:1',
  seq,
  senderId,
  kind: 'change',
  body: { text: newText },
  clientMsgId: `chg:e${seq}`,
  createdAt: seq * 1000,
  change,
});

const contentSeqs = (released: LogRelease[]): number[] => released.flatMap((r) => ('message' in r ? [r.message.seq] : []));
const updates = (released: LogRelease[]): MessageUpdate[] => released.flatMap((r) => ('update' in r ? [r.update] : []));

describe('ConversationLog: a page covers its range', () => {
  it('takes seqs missing inside a page as hidden, not as gaps', () => {
    const log = new ConversationLog();
    const released = log.ingestPage(0, { messages: [text(1), text(2), text(5)], hasMore: false, throughSeq: 5 });
    expect(contentSeqs(released)).toEqual([1, 2, 5]);
    expect(log.releasedSeq).toBe(5);
    expect(log.hasGap()).toBe(false);
  });

  it('holds a push after a hidden seq until a page from the cursor says the seq is hidden', () => {
    const log = new ConversationLog();
    log.ingest(text(1));
    expect(log.ingest(text(3))).toEqual([]); // seq 2: someone's delete for themselves, never pushed here
    expect(log.hasGap()).toBe(true);
    const released = log.ingestPage(1, { messages: [text(3)], hasMore: false, throughSeq: 3 });
    expect(contentSeqs(released)).toEqual([3]);
    expect(log.hasGap()).toBe(false);
    expect(log.messages().map((m) => m.seq)).toEqual([1, 3]);
  });

  it('does not skip seqs a page does not reach (more pages to come)', () => {
    const log = new ConversationLog();
    log.ingest(text(1));
    log.ingest(text(9));
    log.ingestPage(1, { messages: [text(2), text(4)], hasMore: true, throughSeq: 4 });
    expect(log.releasedSeq).toBe(4);
    expect(log.hasGap()).toBe(true); // 5 to 8 unknown yet
    log.ingestPage(4, { messages: [text(6)], hasMore: false, throughSeq: 6 });
    expect(log.releasedSeq).toBe(6);
    log.ingestPage(6, { messages: [text(9)], hasMore: false, throughSeq: 9 });
    expect(log.releasedSeq).toBe(9);
    expect(log.messages().map((m) => m.seq)).toEqual([1, 2, 4, 6, 9]);
  });

  it("moves past a hidden tail up to the page's throughSeq, even when the page is empty", () => {
    const log = new ConversationLog();
    log.ingest(text(1));
    // Seqs 2 and 3: another member's delete entries, which only they see.
    expect(log.ingestPage(1, { messages: [], hasMore: false, throughSeq: 3 })).toEqual([]);
    expect(log.releasedSeq).toBe(3);
    expect(contentSeqs(log.ingest(text(4)))).toEqual([4]);
    expect(log.hasGap()).toBe(false);
  });

  it('a page that starts above the cursor covers nothing before it', () => {
    const log = new ConversationLog();
    log.ingest(text(1));
    log.ingestPage(3, { messages: [text(5)], hasMore: false, throughSeq: 5 });
    expect(log.releasedSeq).toBe(1);
    expect(log.hasGap()).toBe(true);
  });
});

describe('ConversationLog: change entries', () => {
  it('applies a pushed update to the held message and reports it in seq order', () => {
    const log = new ConversationLog();
    log.ingest(text(1));
    const reacted = text(1, { reactions: [{ emoji: '👍', userIds: ['b'] }] });
    const released = log.update({ message: reacted, entry: entry(2, { type: 'reaction', messageId: 'm1', emoji: '👍', on: true }) });
    expect(updates(released)).toEqual([{ entry: expect.objectContaining({ seq: 2 }), message: reacted }]);
    expect(log.messages()).toEqual([reacted]);
    expect(log.releasedSeq).toBe(2);
  });

  it('keeps an early update back until the gap before it is filled, then applies states in log order', () => {
    const log = new ConversationLog();
    log.ingest(text(1));
    log.ingest(text(2));
    const both = text(1, { reactions: [{ emoji: '❤️', userIds: ['b'] }, { emoji: '👍', userIds: ['c'] }] });
    // The push for seq 5 arrives before 3 and 4 did.
    expect(log.update({ message: both, entry: entry(5, { type: 'reaction', messageId: 'm1', emoji: '👍', on: true }, 'c') })).toEqual([]);
    expect(at(log.messages(), 0, 'm1').reactions).toBeUndefined();

    const heartOnly = text(1, { reactions: [{ emoji: '❤️', userIds: ['b'] }] });
    const released = log.ingestPage(2, {
      messages: [text(3), entry(4, { type: 'reaction', messageId: 'm1', emoji: '❤️', on: true })],
      hasMore: false,
      throughSeq: 4,
      updates: [heartOnly],
    });
    expect(released.map((r) => ('message' in r ? r.message.seq : r.update.entry.seq))).toEqual([3, 4, 5]);
    expect(updates(released).map((u) => u.message?.reactions)).toEqual([heartOnly.reactions, both.reactions]);
    expect(at(log.messages(), 0, 'm1')).toEqual(both);

    // A late copy of the older page changes nothing: its state is older than the one held.
    log.ingestPage(2, { messages: [text(3), entry(4, { type: 'reaction', messageId: 'm1', emoji: '❤️', on: true })], hasMore: false, throughSeq: 4, updates: [heartOnly] });
    expect(at(log.messages(), 0, 'm1')).toEqual(both);
  });

  it('works out an entry that came without a state: edit, reaction on and off, in order', () => {
    const log = new ConversationLog();
    log.ingest(text(1));
    const released = log.ingestPage(1, {
      messages: [
        entry(2, { type: 'edit', messageId: 'm1' }, 'a', 'edited text'),
        entry(3, { type: 'reaction', messageId: 'm1', emoji: '🎉', on: true }, 'b'),
        entry(4, { type: 'reaction', messageId: 'm1', emoji: '👍', on: true }, 'c'),
        entry(5, { type: 'reaction', messageId: 'm1', emoji: '🎉', on: true }, 'c'),
        entry(6, { type: 'reaction', messageId: 'm1', emoji: '🎉', on: false }, 'b'),
      ],
      hasMore: false,
      throughSeq: 6,
    });
    expect(updates(released)).toHaveLength(5);
    expect(at(log.messages(), 0, 'm1')).toEqual(
      text(1, {
        body: { text: 'edited text' },
        editedAt: 2000,
        reactions: [
          { emoji: '🎉', userIds: ['c'] },
          { emoji: '👍', userIds: ['c'] },
        ],
      }),
    );
  });

  it('a held state newer than an entry is not worked over again', () => {
    const log = new ConversationLog();
    const current = text(1, { reactions: [{ emoji: '👍', userIds: ['b'] }] });
    // A page brings message 1 as it is now, and the reaction entry that made it so.
    const released = log.ingestPage(0, { messages: [current, entry(2, { type: 'reaction', messageId: 'm1', emoji: '👍', on: true })], hasMore: false, throughSeq: 2 });
    expect(updates(released)).toEqual([{ entry: expect.objectContaining({ seq: 2 }), message: current }]);
    expect(log.messages()).toEqual([current]);
  });

  it('a delete for me takes the message out of what the client holds', () => {
    const log = new ConversationLog();
    log.ingest(text(1));
    log.ingest(text(2));
    const released = log.update({ message: text(1, { deleted: true }), entry: entry(3, { type: 'delete', messageId: 'm1' }, 'me') });
    expect(updates(released)).toEqual([{ entry: expect.objectContaining({ seq: 3 }), message: text(1, { deleted: true }) }]);
    expect(log.messages().map((m) => m.id)).toEqual(['m2']);
  });

  it('a delete entry from a sync (no state: the target is hidden now) takes the message out too', () => {
    const log = new ConversationLog();
    log.ingest(text(1));
    const released = log.ingestPage(1, { messages: [entry(2, { type: 'delete', messageId: 'm1' }, 'me')], hasMore: false, throughSeq: 2 });
    expect(at(updates(released), 0, 'update').message).toMatchObject({ id: 'm1', deleted: true });
    expect(log.messages()).toEqual([]);
  });

  it('a recall turns the message into a tombstone and every held quote of it into a recalled quote', () => {
    const log = new ConversationLog();
    const image = text(1, {
      kind: 'image',
      body: { text: 'cat', caption: 'cat', attachment: { id: 'u1', name: 'cat.png', mime: 'image/png', size: 10, width: 1, height: 1 } },
      reactions: [{ emoji: '👍', userIds: ['b'] }],
      mentions: ['b'],
    });
    log.ingest(image);
    const reply = text(2, {
      senderId: 'b',
      replyTo: 'm1',
      quote: { messageId: 'm1', senderId: 'a', kind: 'image', text: 'cat', attachment: image.body.attachment },
    });
    log.ingest(reply);
    const released = log.ingestPage(2, { messages: [entry(3, { type: 'recall', messageId: 'm1' }, 'a')], hasMore: false, throughSeq: 3 });
    const tomb = { ...text(1, { kind: 'image', body: { text: '' } }), recalled: true };
    const quoteRecalled = { ...reply, quote: { messageId: 'm1', senderId: 'a', kind: 'image' as const, text: '', recalled: true } };
    expect(updates(released).map((u) => u.message)).toEqual([tomb, quoteRecalled]);
    expect(log.messages()).toEqual([tomb, quoteRecalled]);
  });

  it("an edit shows in held replies' quotes, cut like the server cuts them", () => {
    const log = new ConversationLog();
    log.ingest(text(1));
    const reply = text(2, { replyTo: 'm1', quote: { messageId: 'm1', senderId: 'a', kind: 'text', text: 'text 1' } });
    log.ingest(reply);
    const long = '字'.repeat(200);
    const released = log.ingestPage(2, { messages: [entry(3, { type: 'edit', messageId: 'm1' }, 'a', long)], hasMore: false, throughSeq: 3 });
    expect(updates(released).map((u) => u.message?.id)).toEqual(['m1', 'm2']);
    expect(at(log.messages(), 1, 'reply').quote?.text).toBe('字'.repeat(140));
  });

  it('reports a change to a message it does not hold with the state the server sent, or none', () => {
    const log = new ConversationLog(10);
    const old = text(3, { editedAt: 11_000, body: { text: 'new' } });
    const withState = log.update({ message: old, entry: entry(11, { type: 'edit', messageId: 'm3' }, 'a', 'new') });
    expect(updates(withState)).toEqual([{ entry: expect.objectContaining({ seq: 11 }), message: old }]);
    const without = log.ingestPage(11, { messages: [entry(12, { type: 'recall', messageId: 'm4' }, 'a')], hasMore: false, throughSeq: 12 });
    expect(updates(without)).toEqual([{ entry: expect.objectContaining({ seq: 12 }) }]);
    expect(log.messages()).toEqual([]);
  });

  it('releases a content message in the newest state that came before it was released', () => {
    const log = new ConversationLog();
    log.ingest(text(1));
    // Message 2 arrives early; a page then brings it newer (edited meanwhile) with everything before it.
    log.ingest(text(3));
    log.ingestPage(1, { messages: [text(2, { body: { text: 'edited' }, editedAt: 4000 }), text(3), entry(4, { type: 'edit', messageId: 'm2' }, 'a', 'edited')], hasMore: false, throughSeq: 4 });
    expect(log.messages().map((m) => m.body.text)).toEqual(['text 1', 'edited', 'text 3']);
  });
});
