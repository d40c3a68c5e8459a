import type { GatewayFrame } from './generated/parley/relay/v1/GatewayFrame';
import { NodeSession, type NodeSessionCounters } from './node-session';
import { FakeNodeStream } from './testing/fake-node-stream';

function deliver(room: string): GatewayFrame {
  return { deliver: { rooms: [room], event: 'message:new', payload: Buffer.from('{}'), messageId: room } };
}

function setup(takesBatches: boolean) {
  const stream = new FakeNodeStream();
  const counters: NodeSessionCounters = { framesOut: 0, dropped: 0, droppedClosed: 0, acks: 0, roomsLost: 0 };
  const session = new NodeSession('n1', stream.asStream(), { maxBufferedFrames: 100, maxLostRooms: 10 }, counters, () => [], takesBatches);
  return { stream, counters, session };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('NodeSession: Deliver frames that never leave a closed stream are counted as dropped there', () => {
  it('counts the frames batched in the turn its stream closed', async () => {
    const { stream, counters, session } = setup(true);
    expect(session.write(deliver('user:a'))).toBe(true);
    expect(session.write(deliver('user:b'))).toBe(true);
    session.close();
    await nextTurn();
    expect(stream.frames).toHaveLength(0);
    expect(counters.droppedClosed).toBe(2);
    expect(counters.dropped).toBe(0);
  });

  it('refuses and counts a frame written after its stream ended', () => {
    const { stream, counters, session } = setup(false);
    stream.writableEnded = true;
    expect(session.write(deliver('user:a'))).toBe(false);
    expect(stream.frames).toHaveLength(0);
    expect(counters.droppedClosed).toBe(1);
  });

  it('counts a batch whose stream was cancelled before the turn ended', async () => {
    const { stream, counters, session } = setup(true);
    session.write(deliver('user:a'));
    session.write(deliver('user:b'));
    session.write(deliver('user:c'));
    stream.cancelled = true;
    await nextTurn();
    expect(stream.frames).toHaveLength(0);
    expect(counters.droppedClosed).toBe(3);
  });

  it('drops nothing on an open stream: one batch leaves at the end of the turn', async () => {
    const { stream, counters, session } = setup(true);
    session.write(deliver('user:a'));
    session.write(deliver('user:b'));
    await nextTurn();
    expect(stream.frames).toHaveLength(1);
    expect(stream.frames[0]?.delivers?.delivers).toHaveLength(2);
    expect(counters.dropped + counters.droppedClosed).toBe(0);
    expect(counters.framesOut).toBe(2);
  });
});
