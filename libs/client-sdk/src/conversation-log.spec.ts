import type { Message } from '@parley/protocol';
import { ConversationLog, type LogRelease } from './conversation-log';

const msg = (seq: number, id = `m${seq}`): Message => ({
  id,
  conversationId: 'd:a:b',
  seq,
  senderId: 'a',
  kind: 'text',
  body: { text: String(seq) },
  clientMsgId: `c${seq}`,
  createdAt: seq,
});

/** Seqs of the content messages released. */
const seqs = (released: LogRelease[]): number[] => released.flatMap((r) => ('message' in r ? [r.message.seq] : []));

describe('ConversationLog', () => {
  it('releases in seq order, holding early messages until the gap is filled', () => {
    const log = new ConversationLog();
    expect(seqs(log.ingest(msg(1)))).toEqual([1]);
    expect(log.ingest(msg(3))).toEqual([]);
    expect(log.hasGap()).toBe(true);
    expect(log.ingest(msg(4))).toEqual([]);
    expect(seqs(log.ingest(msg(2)))).toEqual([2, 3, 4]);
    expect(log.hasGap()).toBe(false);
    expect(log.messages().map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('drops duplicates, whether released or still waiting', () => {
    const log = new ConversationLog();
    log.ingest(msg(1));
    expect(log.ingest(msg(1))).toEqual([]);
    log.ingest(msg(3));
    expect(log.ingest(msg(3))).toEqual([]);
    log.ingest(msg(2));
    expect(log.messages().map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('starts after a base seq and ignores what came before it', () => {
    const log = new ConversationLog(10);
    expect(log.ingest(msg(9))).toEqual([]);
    expect(seqs(log.ingest(msg(11)))).toEqual([11]);
    expect(log.releasedSeq).toBe(11);
  });
});
