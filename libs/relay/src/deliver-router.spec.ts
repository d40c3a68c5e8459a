import { RELAY_LOST } from '@parley/protocol';
import { DeliverRouter } from './deliver-router';
import type { Publish__Output } from './generated/parley/relay/v1/Publish';
import { InterestTable } from './interest-table';
import { waitFor } from '@parley/testing';
import { NodeSession, type NodeSessionCounters } from './node-session';
import { FakeNodeStream } from './testing/fake-node-stream';

const counters = (): NodeSessionCounters => ({ framesOut: 0, dropped: 0, droppedClosed: 0, acks: 0, roomsLost: 0 });

/** im-2 announced user:b; im-3 only group:z. */
function cluster(stuck: string[] = []) {
  const table = new InterestTable();
  const sessions = new Map<string, NodeSession>();
  const streams = new Map<string, FakeNodeStream>();
  const interest: Record<string, string[]> = { 'im-1': [], 'im-2': ['user:b'], 'im-3': ['group:z'] };
  for (const [nodeId, rooms] of Object.entries(interest)) {
    const stream = new FakeNodeStream(stuck.includes(nodeId));
    streams.set(nodeId, stream);
    sessions.set(nodeId, new NodeSession(nodeId, stream.asStream(), { maxBufferedFrames: 1, maxLostRooms: 10 }, counters(), () => rooms));
    table.apply(nodeId, rooms, []);
  }
  const router = new DeliverRouter(table, sessions, { publishes: 0, delivers: 0, directed: 0 });
  const frames = (nodeId: string) => streams.get(nodeId)?.frames ?? [];
  const delivered = (nodeId: string) => frames(nodeId).flatMap((f) => (f.deliver ? [f.deliver] : []));
  return { router, sessions, streams, frames, delivered };
}

function publish(event: string, o: Partial<Publish__Output> = {}): Publish__Output {
  return {
    rooms: ['user:b'],
    event,
    payload: Buffer.from('{"all":true}'),
    messageId: 'm1',
    grantRoom: '',
    barrier: 0,
    seq: 0,
    toNode: '',
    traceId: '',
    traceFlags: 0,
    spanId: '',
    allNodes: false,
    ...o,
  };
}

describe('DeliverRouter: a relay:lost for every node', () => {
  it('reaches every other node, interested in its rooms or not, marked all_nodes', () => {
    const { router, sessions, delivered } = cluster();
    const routed = router.route(sessions.get('im-1') as NodeSession, publish(RELAY_LOST, { allNodes: true }));
    expect(routed).toBe(2);
    expect(delivered('im-2')).toEqual([expect.objectContaining({ event: RELAY_LOST, rooms: ['user:b'], allNodes: true, originNode: 'im-1' })]);
    // im-3 announced nothing: only all_nodes brings it there.
    expect(delivered('im-3')).toEqual([expect.objectContaining({ event: RELAY_LOST, allNodes: true })]);
    expect(delivered('im-1')).toEqual([]);
  });

  it('routes all_nodes on any other event by interest, like every publish, never marked', () => {
    const { router, sessions, delivered } = cluster();
    router.route(sessions.get('im-1') as NodeSession, publish('typing', { allNodes: true, payload: Buffer.from('{}') }));
    expect(delivered('im-2')).toEqual([expect.objectContaining({ event: 'typing', allNodes: false })]);
    expect(delivered('im-3')).toEqual([]);
  });

  it('routes a relay:lost without all_nodes by interest only', () => {
    const { router, sessions, delivered } = cluster();
    router.route(sessions.get('im-1') as NodeSession, publish(RELAY_LOST));
    expect(delivered('im-2')).toHaveLength(1);
    expect(delivered('im-3')).toEqual([]);
  });

  it('dropped for a full queue, it is owed as all the node’s rooms (RoomsLost), not its own few', async () => {
    const { router, sessions, streams, frames, delivered } = cluster(['im-3']);
    const origin = sessions.get('im-1') as NodeSession;
    // im-3's queue (bound 1) fills with a first notice whose write never flushes; the next ones are dropped.
    for (const messageId of ['m1', 'm2', 'm3']) router.route(origin, publish(RELAY_LOST, { allNodes: true, messageId }));
    expect(delivered('im-3').map((d) => d.messageId)).toEqual(['m1']);
    streams.get('im-3')?.release();
    await waitFor('a RoomsLost toward im-3', () => frames('im-3').some((f) => f.lost), (lost) => lost);
    // group:z is what im-3 announced, not a room the notice named: every session there syncs.
    expect(frames('im-3').flatMap((f) => (f.lost ? [f.lost.rooms] : []))).toEqual([['group:z']]);
  });
});
