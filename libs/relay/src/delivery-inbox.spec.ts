import { isRoomName, RELAY_LOST, type RoomName } from '@parley/protocol';
import { createLogger } from '@parley/util-node';
import type { Deliver } from './deliver';
import { DeliveryInbox, type DeliverySource } from './delivery-inbox';
import type { Deliver__Output } from './generated/parley/relay/v1/Deliver';
import type { NodeFrame } from './generated/parley/relay/v1/NodeFrame';
import { SeenFrames } from './seen-frames';

function inbox(wanted: string[]) {
  const handled: Deliver[] = [];
  const controls: NodeFrame[] = [];
  const counters = { delivered: 0, ignored: 0, deduplicated: 0 };
  const wants = (room: string): room is RoomName => isRoomName(room) && wanted.includes(room);
  const box = new DeliveryInbox((d) => handled.push(d), wants, new SeenFrames(100), counters, createLogger({ name: 'test', level: 'silent' }));
  const link: DeliverySource = { gatewayId: 'gw-1', sendControl: (frame) => controls.push(frame) };
  return { box, link, handled, controls, counters };
}

function deliver(o: Partial<Deliver__Output>): Deliver__Output {
  return {
    rooms: ['user:x'],
    event: RELAY_LOST,
    payload: Buffer.from('{"all":true}'),
    messageId: 'm1',
    originNode: 'im-1',
    barrier: 0,
    fromGateway: false,
    traceId: '',
    traceFlags: 0,
    spanId: '',
    allNodes: false,
    ...o,
  };
}

describe('DeliveryInbox: a relay:lost for every node', () => {
  it('is handled whatever rooms this node announced, and takes none back from the gateway', () => {
    const { box, link, handled, controls, counters } = inbox(['user:mine']);
    box.receive(link, deliver({ allNodes: true, rooms: ['user:x', 'user:y'] }));
    expect(handled).toEqual([expect.objectContaining({ event: RELAY_LOST, rooms: ['user:x', 'user:y'] })]);
    expect(controls).toEqual([]);
    expect(counters.delivered).toBe(1);
  });

  it('without all_nodes, is only for rooms this node announced: one for none of them is ignored and the rooms taken back', () => {
    const { box, link, handled, controls, counters } = inbox(['user:mine']);
    box.receive(link, deliver({ rooms: ['user:x'] }));
    expect(handled).toEqual([]);
    expect(counters.ignored).toBe(1);
    expect(controls).toEqual([{ delta: { add: [], remove: ['user:x'] } }]);
  });

  it('never lets all_nodes carry another event past the interest filter', () => {
    const { box, link, handled } = inbox(['user:mine']);
    box.receive(link, deliver({ allNodes: true, event: 'typing', rooms: ['user:x'], payload: Buffer.from('{}') }));
    expect(handled).toEqual([]);
  });

  it('drops a malformed room name of an all-nodes notice and is applied once, like any frame', () => {
    const { box, link, handled, counters } = inbox([]);
    box.receive(link, deliver({ allNodes: true, rooms: ['user:x', 'not a room'] }));
    box.receive(link, deliver({ allNodes: true, rooms: ['user:x'] }));
    expect(handled).toHaveLength(1);
    expect(handled[0]?.rooms).toEqual(['user:x']);
    expect(counters.deduplicated).toBe(1);
  });
});
