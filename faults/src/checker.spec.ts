import { checkDelivery, missingSeqs, type CheckedMessage, type ConversationRecord, type RecipientView } from './checker';

const CONV = 'g:one';
const msg = (seq: number, overrides: Partial<CheckedMessage> = {}): CheckedMessage => ({
  id: `m${seq}`,
  conversationId: CONV,
  seq,
  senderId: 'alice',
  clientMsgId: `c${seq}`,
  ...overrides,
});
const view = (recipient: string, held: CheckedMessage[], delivered: CheckedMessage[] = held): RecipientView => ({
  recipient,
  held,
  delivered,
});
const conversation = (acked: CheckedMessage[], recipients: RecipientView[]): ConversationRecord => ({
  conversationId: CONV,
  acked,
  recipients,
});
const counts = (records: ConversationRecord[]) => {
  const { findings: _findings, ...rest } = checkDelivery(records);
  return rest;
};

describe('checkDelivery', () => {
  const three = [msg(1), msg(2), msg(3)];

  it('reports all zeros when every recipient holds every acked message once, in order', () => {
    expect(counts([conversation(three, [view('alice', three), view('bob', three)])])).toEqual({
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
      gaps: 0,
      acked: 3,
    });
    expect(checkDelivery([conversation(three, [view('bob', three)])]).findings).toEqual([]);
  });

  it('counts an acked message missing at a recipient as lost, once per recipient', () => {
    const report = checkDelivery([conversation(three, [view('alice', three), view('bob', [msg(1), msg(2)]), view('carol', [msg(1), msg(2)])])]);
    expect(report).toMatchObject({ lost: 2, duplicated: 0, outOfOrder: 0, gaps: 0, acked: 3 });
    expect(report.findings).toContain(`${CONV} @bob: acked message m3 missing`);
  });

  it('counts a hole inside the held seqs as a gap and the missing acked message as lost', () => {
    expect(counts([conversation(three, [view('bob', [msg(1), msg(3)])])])).toEqual({
      lost: 1,
      duplicated: 0,
      outOfOrder: 0,
      gaps: 1,
      acked: 3,
    });
  });

  it('counts gaps for messages stored but never acked (e.g. from a send that was given up)', () => {
    // seq 2 exists on the server but its sender never got the ack: not lost, but a hole is a hole.
    const acked = [msg(1), msg(3)];
    expect(counts([conversation(acked, [view('bob', [msg(1), msg(3)])])])).toMatchObject({ lost: 0, gaps: 1 });
  });

  it('counts an id held twice, or emitted twice, as one duplicate per recipient and id', () => {
    const twiceHeld = [msg(1), msg(2), msg(2), msg(3)];
    expect(counts([conversation(three, [view('bob', twiceHeld, three)])])).toMatchObject({ duplicated: 1, outOfOrder: 0 });
    expect(counts([conversation(three, [view('bob', twiceHeld, twiceHeld)])])).toMatchObject({ duplicated: 1 });
    const twiceEmitted = [msg(1), msg(2), msg(3), msg(2)];
    expect(counts([conversation(three, [view('bob', three, twiceEmitted), view('carol', three, twiceEmitted)])])).toMatchObject({
      duplicated: 2,
      outOfOrder: 0,
    });
  });

  it('counts one send stored under two ids as duplicated, wherever the second id shows up', () => {
    const again = msg(4, { id: 'm4', clientMsgId: 'c3' }); // a retry of c3 that the server stored again
    const held = [...three, again];
    expect(counts([conversation([...three, again], [view('bob', held)])])).toMatchObject({ duplicated: 1, lost: 0 });
    // Only a recipient saw it (the sender's ack carried the first id): still one send, two messages.
    expect(counts([conversation(three, [view('bob', held)])])).toMatchObject({ duplicated: 1 });
    // The same clientMsgId from another sender is a different send.
    const otherSender = msg(4, { clientMsgId: 'c3', senderId: 'bob' });
    expect(counts([conversation([...three, otherSender], [view('bob', [...three, otherSender])])])).toMatchObject({ duplicated: 0 });
  });

  it('counts entries emitted after a higher seq as out of order', () => {
    const emitted = [msg(1), msg(3), msg(2)];
    const report = checkDelivery([conversation(three, [view('bob', three, emitted)])]);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 1, gaps: 0 });
    expect(report.findings).toEqual([`${CONV} @bob: delivered seq 2 (m2) after a higher or equal seq`]);
    expect(counts([conversation(three, [view('bob', [msg(3), msg(2), msg(1)])])])).toMatchObject({ outOfOrder: 4 });
  });

  it('counts two different messages acked at one seq as out of order (seq must be unique)', () => {
    const clash = msg(2, { id: 'other', clientMsgId: 'cx', senderId: 'bob' });
    const acked = [msg(1), msg(2), clash];
    expect(counts([conversation(acked, [view('alice', [msg(1), msg(2), clash])])])).toMatchObject({ outOfOrder: 3, lost: 0 });
  });

  it('adds up over conversations', () => {
    const other = 'd:alice:bob';
    const dm = (seq: number) => msg(seq, { conversationId: other, id: `d${seq}`, clientMsgId: `dc${seq}` });
    const records: ConversationRecord[] = [
      conversation(three, [view('bob', [msg(1), msg(2)])]),
      { conversationId: other, acked: [dm(1), dm(2)], recipients: [view('alice', [dm(2)]), view('bob', [dm(1), dm(2)])] },
    ];
    expect(counts(records)).toEqual({ lost: 2, duplicated: 0, outOfOrder: 0, gaps: 1, acked: 5 });
  });

  it('caps findings', () => {
    const many = Array.from({ length: 80 }, (_, i) => msg(i + 1));
    const report = checkDelivery([conversation(many, [view('bob', [])])]);
    expect(report.lost).toBe(80);
    expect(report.findings).toHaveLength(50);
  });
});

describe('missingSeqs', () => {
  it('lists the holes between 1 and the highest seq', () => {
    expect(missingSeqs([])).toEqual([]);
    expect(missingSeqs([1, 2, 3])).toEqual([]);
    expect(missingSeqs([3])).toEqual([1, 2]);
    expect(missingSeqs([5, 1, 3])).toEqual([2, 4]);
  });
});
