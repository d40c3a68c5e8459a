import { EventEmitter } from 'node:events';
import { RELAY_FRAME_LIMITS, decodeRelayFrame, type RoomName } from '@parley/protocol';
import { createLogger } from '@parley/util-node';
import { ControlIds } from './control-ids';
import { RelayOutbox } from './outbox';
import type { BarrierOutcome, RelayLink, RelayPublish } from './relay-link';

/** A relay the test turns on and off, recording what it took (and through which gateway). */
class FakeRelay extends EventEmitter implements RelayLink {
  up = true;
  readonly published: { frame: RelayPublish; via?: string }[] = [];

  /** Frames the relay does not take even while up (a full link). */
  refuse: (frame: RelayPublish) => boolean = () => false;

  publish(frame: RelayPublish, via?: string): boolean {
    if (!this.up || this.refuse(frame)) return false;
    this.published.push({ frame, via });
    return true;
  }

  async publishConfirmed(frame: RelayPublish): Promise<BarrierOutcome> {
    return this.publish(frame) ? 'confirmed' : 'unsent';
  }

  handleDeliveries(): void {}
  setInterest(): void {}
  start(): void {}
  async announce(): Promise<void> {}
  async stop(): Promise<void> {}

  ids(): string[] {
    return this.published.map((p) => (p.frame.toNode ? `${p.frame.messageId}->${p.frame.toNode}@${p.via}` : p.frame.messageId));
  }
}

const typing = (messageId: string, room: RoomName = 'user:a'): RelayPublish => ({
  rooms: [room],
  event: 'typing',
  payload: new TextEncoder().encode(JSON.stringify({ conversationId: 'd:a:b', userId: 'b' })),
  messageId,
});

describe('RelayOutbox', () => {
  const logger = createLogger({ name: 'test', level: 'silent' });
  let now = 1_000_000;
  const clock = { now: () => now };
  const outboxOn = (relay: FakeRelay, options = {}) => new RelayOutbox(relay, logger, clock, new ControlIds('im-1', 'boot'), options);

  it('puts what a lost gateway never acknowledged ahead of what was kept since, and sends it all when one is back', () => {
    const relay = new FakeRelay();
    const outbox = outboxOn(relay);
    relay.up = false;
    outbox.send(typing('kept-1'));
    relay.emit('publish:stranded', [typing('stranded-1'), typing('stranded-2')]);
    outbox.send(typing('kept-2'));
    expect(outbox.depth).toBe(4);
    relay.up = true;
    relay.emit('gateway:ready', 'g1:1', 'g1');
    expect(relay.ids()).toEqual(['stranded-1', 'stranded-2', 'kept-1', 'kept-2']);
  });

  it('replays frames flushed after an outage to each node a gateway announces, through that gateway, within the window only', () => {
    const relay = new FakeRelay();
    const outbox = outboxOn(relay, { replayWindowMs: 15_000 });
    outbox.send(typing('live')); // sent at once: every connected node got it, nothing to replay
    relay.up = false;
    outbox.send(typing('o1'));
    outbox.send(typing('o2'));
    relay.up = true;
    relay.emit('gateway:ready', 'g1:1', 'g1');
    relay.emit('peer:up', 'im-late', 'g2:1');
    expect(relay.ids()).toEqual(['live', 'o1', 'o2', 'o1->im-late@g2:1', 'o2->im-late@g2:1']);
    now += 15_001;
    relay.emit('peer:up', 'im-later', 'g1:1');
    expect(relay.published).toHaveLength(5);
    expect(outbox.stats()).toMatchObject({ replayBuffer: 0, replayed: 2 });
  });

  it('drops the oldest past its limit and, once a gateway is back, tells their rooms with relay:lost (chunked, replayed too)', () => {
    const relay = new FakeRelay();
    const outbox = outboxOn(relay, { limit: 2 });
    relay.up = false;
    outbox.send(typing('d1', 'user:x'));
    outbox.send(typing('d2', 'group:y'));
    outbox.send(typing('k1', 'user:a'));
    outbox.send(typing('k2', 'user:a'));
    expect(outbox.stats()).toMatchObject({ kept: 2, dropped: 2 });
    relay.up = true;
    relay.emit('gateway:ready', 'g1:1', 'g1');
    expect(relay.ids().slice(0, 2)).toEqual(['k1', 'k2']);
    const lost = relay.published[2]?.frame;
    expect(lost).toMatchObject({ event: 'relay:lost', rooms: ['user:x', 'group:y'], messageId: 'im-1:boot:1' });
    // What receiving nodes accept: a valid relay:lost frame.
    const decoded = decodeRelayFrame({ ...(lost as RelayPublish), originNode: 'im-1' });
    expect(decoded).toMatchObject({ ok: true, frame: { kind: 'relay:lost', rooms: ['user:x', 'group:y'] } });
    relay.emit('peer:up', 'im-late', 'g1:1');
    expect(relay.ids().slice(3)).toEqual(['k1->im-late@g1:1', 'k2->im-late@g1:1', 'im-1:boot:1->im-late@g1:1']);
    // Told once: nothing more on the next flush.
    relay.emit('gateway:ready', 'g2:1', 'g2');
    expect(relay.published).toHaveLength(6);
  });

  it('replays to a node once per outage whichever gateways announce it, never membership changes, and tells it relay:lost for what the relay refused', () => {
    const relay = new FakeRelay();
    const outbox = outboxOn(relay);
    relay.up = false;
    outbox.send(typing('o1', 'user:a'));
    outbox.send({ ...typing('j1', 'user:a'), event: 'room:join' });
    outbox.send({ ...typing('l1', 'user:a'), event: 'room:leave' });
    outbox.send(typing('o2', 'group:full'));
    relay.up = true;
    relay.emit('gateway:ready', 'g1:1', 'g1');
    expect(relay.ids()).toEqual(['o1', 'j1', 'l1', 'o2']);
    relay.refuse = (frame) => frame.messageId === 'o2' && frame.toNode !== undefined;
    relay.emit('peer:up', 'im-late', 'g1:1');
    relay.emit('peer:up', 'im-late', 'g2:1'); // the same node on another gateway: nothing again
    const lost = relay.published.at(-1)?.frame;
    expect(relay.ids().slice(4)).toEqual(['o1->im-late@g1:1', `${lost?.messageId}->im-late@g1:1`]);
    expect(lost).toMatchObject({ event: 'relay:lost', rooms: ['group:full'], toNode: 'im-late' });
    // A later outage's frames do go to it.
    relay.up = false;
    outbox.send(typing('o3', 'user:a'));
    relay.up = true;
    relay.emit('gateway:ready', 'g1:1', 'g1');
    relay.emit('peer:up', 'im-late', 'g2:1');
    expect(relay.ids().slice(-1)).toEqual(['o3->im-late@g2:1']);
  });

  it('past maxLostRooms, one relay:lost says every room (all: true) and goes to every node (allNodes)', () => {
    const relay = new FakeRelay();
    const outbox = outboxOn(relay, { limit: 1, maxLostRooms: 2 });
    relay.up = false;
    for (const room of ['user:r1', 'user:r2', 'user:r3', 'user:r4'] as RoomName[]) outbox.send(typing(`m-${room}`, room));
    relay.up = true;
    relay.emit('gateway:ready', 'g1:1', 'g1');
    const lost = relay.published.filter((p) => p.frame.event === 'relay:lost').map((p) => p.frame);
    expect(lost).toHaveLength(1);
    const decoded = decodeRelayFrame({ ...(lost[0] as RelayPublish), originNode: 'im-1' });
    expect(decoded).toMatchObject({ ok: true, frame: { kind: 'relay:lost', rooms: ['user:r1', 'user:r2'], payload: { all: true } } });
    // Nodes that held only the forgotten rooms (r3, r4) must be told too: interest cannot route it.
    expect(lost[0]?.allNodes).toBe(true);
    // Nothing is left to announce: the next outage starts from no lost room.
    relay.up = false;
    relay.up = true;
    relay.emit('gateway:ready', 'g1:1', 'g1');
    expect(relay.published.filter((p) => p.frame.event === 'relay:lost')).toHaveLength(1);
  });

  it('keeps an all-nodes relay:lost for the next gateway when none takes it, then sends it once', () => {
    const relay = new FakeRelay();
    const outbox = outboxOn(relay, { limit: 1, maxLostRooms: 1 });
    relay.up = false;
    for (const room of ['user:r1', 'user:r2', 'user:r3'] as RoomName[]) outbox.send(typing(`m-${room}`, room));
    relay.up = true;
    // The kept frame leaves, the all-nodes notice does not (a full link), and is not forgotten.
    relay.refuse = (frame) => frame.event === 'relay:lost';
    relay.emit('gateway:ready', 'g1:1', 'g1');
    expect(relay.published.filter((p) => p.frame.event === 'relay:lost')).toHaveLength(0);
    relay.refuse = () => false;
    relay.emit('gateway:ready', 'g2:1', 'g2');
    const lost = relay.published.filter((p) => p.frame.event === 'relay:lost').map((p) => p.frame);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ allNodes: true, rooms: ['user:r1'] });
  });

  it('names the rooms of a relay:lost by interest when it remembers them all (no allNodes)', () => {
    const relay = new FakeRelay();
    const outbox = outboxOn(relay, { limit: 1, maxLostRooms: 10 });
    relay.up = false;
    for (const room of ['user:r1', 'user:r2', 'user:r3'] as RoomName[]) outbox.send(typing(`m-${room}`, room));
    relay.up = true;
    relay.emit('gateway:ready', 'g1:1', 'g1');
    const lost = relay.published.filter((p) => p.frame.event === 'relay:lost').map((p) => p.frame);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.allNodes).toBeUndefined();
    expect(lost[0]?.rooms).toEqual(['user:r1', 'user:r2']);
  });

  it('splits relay:lost by the frame room limit', () => {
    const relay = new FakeRelay();
    const outbox = outboxOn(relay, { limit: 1 });
    relay.up = false;
    const rooms = Array.from({ length: RELAY_FRAME_LIMITS.maxRooms + 10 }, (_, i) => `user:u${i}` as RoomName);
    for (const room of rooms) outbox.send(typing(`m-${room}`, room));
    relay.up = true;
    relay.emit('gateway:ready', 'g1:1', 'g1');
    const lost = relay.published.filter((p) => p.frame.event === 'relay:lost').map((p) => p.frame.rooms.length);
    expect(lost).toEqual([RELAY_FRAME_LIMITS.maxRooms, rooms.length - 1 - RELAY_FRAME_LIMITS.maxRooms]);
  });
});
