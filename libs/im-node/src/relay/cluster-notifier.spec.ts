import { EventEmitter } from 'node:events';
import { Server } from 'socket.io';
import { createLogger } from '@parley/util';
import { ClusterNotifier } from './cluster-notifier';
import type { RelayLink, RelayPublish } from './relay-link';
import type { ImServer } from './socket/socket-types';

/** A relay whose gateways can be taken down and brought back by the test. */
class FakeRelay extends EventEmitter implements RelayLink {
  up = true;
  readonly published: RelayPublish[] = [];

  publish(frame: RelayPublish): boolean {
    if (!this.up) return false;
    this.published.push(frame);
    return true;
  }

  setInterest(): void {}
  start(): void {}
  async announce(): Promise<void> {}
  async stop(): Promise<void> {}
}

describe('ClusterNotifier', () => {
  const io = new Server() as ImServer;
  const logger = createLogger({ name: 'test', level: 'silent' });

  it('encodes each event once and hands it to the relay with its message id', () => {
    const relay = new FakeRelay();
    const notifier = new ClusterNotifier(io, relay, 'im-1', logger);
    notifier.publish(['user:a', 'user:b'], 'typing', { conversationId: 'd:a:b', userId: 'a' }, 'm1');
    expect(relay.published).toHaveLength(1);
    expect(relay.published[0]).toMatchObject({ rooms: ['user:a', 'user:b'], event: 'typing', messageId: 'm1' });
    expect(JSON.parse(Buffer.from(relay.published[0].payload).toString())).toEqual({ conversationId: 'd:a:b', userId: 'a' });
  });

  it('keeps pushes made while no gateway is reachable and replays them in order when one is back', () => {
    const relay = new FakeRelay();
    const notifier = new ClusterNotifier(io, relay, 'im-1', logger);
    relay.up = false;
    notifier.publish(['user:a'], 'typing', { conversationId: 'd:a:b', userId: 'b' }, 'm1');
    notifier.publish(['user:a'], 'typing', { conversationId: 'd:a:b', userId: 'b' }, 'm2');
    expect(relay.published).toHaveLength(0);
    relay.up = true;
    notifier.publish(['user:a'], 'typing', { conversationId: 'd:a:b', userId: 'b' }, 'm3');
    expect(relay.published.map((f) => f.messageId)).toEqual([]); // still behind the queued ones
    relay.emit('gateway:ready', '127.0.0.1:1', 'gw');
    expect(relay.published.map((f) => f.messageId)).toEqual(['m1', 'm2', 'm3']);
  });
});
