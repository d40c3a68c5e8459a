import { measurePushes, type PushedMember } from './push-delays';

const member = (id: string, pushes: [string, number, string][]): PushedMember => ({
  id,
  username: id,
  pushes: new Map(pushes.map(([messageId, at, nodeId]) => [messageId, { at, nodeId }])),
});

describe('push delays over a window', () => {
  const alice = member('alice', [['m2', 1_040, 'im-1']]);
  const bob = member('bob', [
    ['m1', 900, 'im-2'],
    ['m2', 1_300, 'im-2'],
    ['m3', 1_500, 'im-1'],
  ]);
  const carol = member('carol', [['m2', 1_100, 'im-3']]);
  const conversations = [{ conversationId: 'g:1', members: [alice, bob, carol] }];
  const acked = new Map([
    [
      'g:1',
      [
        { id: 'm1', senderId: 'alice' }, // acked before the window
        { id: 'm2', senderId: 'alice' },
        { id: 'm3', senderId: 'carol' },
      ],
    ],
  ]);
  const acks = new Map([
    ['m1', { at: 850, senderNodeId: 'im-1' }],
    ['m2', { at: 1_000, senderNodeId: 'im-1' }],
    ['m3', { at: 1_450, senderNodeId: 'im-3' }],
  ]);

  it('takes the longest cross-node push from the ack, skips the sender and same-node pushes, and counts members never pushed', () => {
    const report = measurePushes({ from: 1_000, to: 2_000 }, conversations, acked, acks);
    expect(report.messages).toBe(2);
    expect(report.owed).toBe(4); // m2 to bob and carol, m3 to alice and bob
    // m2: bob on im-2 after 300 ms, carol on im-3 after 100 ms; m3 to bob on im-1 from im-3 after 50 ms.
    expect(report.crossNode).toBe(3);
    expect(report.maxCrossNodePushDelayMs).toBe(300);
    // alice never got m3 live.
    expect(report.notPushed).toBe(1);
    expect(report.notPushedExamples).toEqual(['m3 to alice in g:1']);
  });

  it('is empty outside any ack', () => {
    expect(measurePushes({ from: 5_000, to: 6_000 }, conversations, acked, acks)).toMatchObject({ messages: 0, owed: 0, notPushed: 0, maxCrossNodePushDelayMs: 0 });
  });
});
