import { EventEmitter } from 'node:events';
import { Server } from 'socket.io';
import { at } from '@parley/testing';
import { createLogger } from '@parley/util-node';
import type { ImServer } from '../socket/socket-types';
import { ClusterNotifier } from './cluster-notifier';
import { ControlIds } from './control-ids';
import { LocalRooms } from './local-rooms';
import { MembershipLog } from './membership-log';
import { RelayOutbox } from './outbox';
import type { BarrierOutcome, RelayLink, RelayPublish } from './relay-link';

/** A relay whose gateways can be taken down and brought back by the test. */
class FakeRelay extends EventEmitter implements RelayLink {
  up = true;
  readonly published: RelayPublish[] = [];
  /** What a barrier publish reports while the relay is up. */
  barrier: BarrierOutcome = 'confirmed';

  publish(frame: RelayPublish, _via?: string): boolean {
    if (!this.up) return false;
    this.published.push(frame);
    return true;
  }

  async publishConfirmed(frame: RelayPublish): Promise<BarrierOutcome> {
    return this.publish(frame) ? this.barrier : 'unsent';
  }

  handleDeliveries(): void {}
  setInterest(): void {}
  start(): void {}
  async announce(): Promise<void> {}
  async stop(): Promise<void> {}
}

describe('ClusterNotifier', () => {
  const io = new Server() as ImServer;
  const logger = createLogger({ name: 'test', level: 'silent' });
  const notifierOn = (relay: FakeRelay) => {
    const log = new MembershipLog();
    const ids = new ControlIds('im-1');
    return { notifier: new ClusterNotifier(new LocalRooms(io, log), new RelayOutbox(relay, logger, { now: () => Date.now() }, ids), ids, logger), log };
  };

  it('encodes each event once and hands it to the relay with its message id', () => {
    const relay = new FakeRelay();
    const { notifier } = notifierOn(relay);
    notifier.publish(['user:a', 'user:b'], 'typing', { conversationId: 'd:a:b', userId: 'a' }, 'm1');
    expect(relay.published).toHaveLength(1);
    const published = at(relay.published, 0, 'published frame');
    expect(published).toMatchObject({ rooms: ['user:a', 'user:b'], event: 'typing', messageId: 'm1' });
    expect(JSON.parse(Buffer.from(published.payload).toString())).toEqual({ conversationId: 'd:a:b', userId: 'a' });
  });

  it('keeps pushes made while no gateway is reachable and replays them in order when one is back', async () => {
    const relay = new FakeRelay();
    const { notifier } = notifierOn(relay);
    relay.up = false;
    notifier.publish(['user:a'], 'typing', { conversationId: 'd:a:b', userId: 'b' }, 'm1');
    // A removal made meanwhile queues behind them and is not confirmed.
    await notifier.leaveRoom(['a'], 'group:g');
    expect(relay.published).toHaveLength(0);
    relay.up = true;
    relay.emit('gateway:ready', '127.0.0.1:1', 'gw');
    expect(relay.published.map((f) => f.event)).toEqual(['typing', 'room:leave']);
    // Kept again (a gateway that is up but full takes nothing): the next send flushes them first, in order.
    relay.up = false;
    notifier.publish(['user:a'], 'typing', { conversationId: 'd:a:b', userId: 'b' }, 'm3');
    relay.up = true;
    notifier.publish(['user:a'], 'typing', { conversationId: 'd:a:b', userId: 'b' }, 'm4');
    expect(relay.published.map((f) => f.messageId).slice(2)).toEqual(['m3', 'm4']);
  });

  it('keys every frame about a group by its room, so joins, leaves and messages of a group take one gateway in order', async () => {
    const relay = new FakeRelay();
    const { notifier } = notifierOn(relay);
    notifier.joinRoom(['a'], 'group:g');
    await notifier.leaveRoom(['b'], 'group:g');
    notifier.publish(['group:g', 'user:c'], 'typing', { conversationId: 'g:g', userId: 'c' });
    notifier.publish(['user:a', 'user:b'], 'typing', { conversationId: 'd:a:b', userId: 'a' });
    expect(relay.published.map((f) => f.routeKey)).toEqual(['group:g', 'group:g', 'group:g', undefined]);
  });

  it('gives frames without a message id ids no restart of the node can repeat', () => {
    const first = new FakeRelay();
    const again = new FakeRelay();
    notifierOn(first).notifier.publish(['user:a'], 'typing', { conversationId: 'd:a:b', userId: 'b' });
    notifierOn(again).notifier.publish(['user:a'], 'typing', { conversationId: 'd:a:b', userId: 'b' });
    const [a, b] = [first.published[0]?.messageId, again.published[0]?.messageId];
    expect(a).toMatch(/^im-1:/);
    expect(b).toMatch(/^im-1:/);
    expect(a).not.toBe(b);
  });

  it('applies a leave here at once, records it, and resolves once the relay confirms it elsewhere', async () => {
    const relay = new FakeRelay();
    const { notifier, log } = notifierOn(relay);
    const mark = log.mark();
    await notifier.leaveRoom(['a', 'b'], 'group:g');
    expect(log.leftSince(mark, 'a', 'group:g')).toBe(true);
    expect(relay.published).toEqual([expect.objectContaining({ rooms: ['user:a', 'user:b'], event: 'room:leave' })]);
    relay.barrier = 'unconfirmed';
    await expect(notifier.leaveRoom(['a'], 'group:g')).resolves.toBeUndefined();
  });
});
