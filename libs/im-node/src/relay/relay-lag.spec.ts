import type { Message } from '@parley/protocol';
import { NodeMetrics } from '../metrics/node-metrics';
import type { ImServer } from '../socket/socket-types';
import { testMetrics } from '../testing/test-metrics';
import { LocalRooms } from './local-rooms';
import { MembershipLog } from './membership-log';

/** Sockets by room, as the adapter keeps them; emits go nowhere. */
function fakeIo(rooms: Record<string, string[]>): ImServer {
  const adapterRooms = new Map(Object.entries(rooms).map(([room, ids]) => [room, new Set(ids)]));
  const target = (): unknown => ({ emit: () => true, except: target });
  return { to: target, of: () => ({ adapter: { rooms: adapterRooms } }) } as unknown as ImServer;
}

const message = (createdAt: number): Message => ({ id: 'm', conversationId: 'd:a:b', seq: 1, senderId: 'a', kind: 'text', body: { text: 'hi' }, clientMsgId: 'c', createdAt });

describe('parley_relay_delivery_lag_seconds', () => {
  async function lagOf(emits: (local: LocalRooms) => void): Promise<{ count: number; sum: number; under50ms: number }> {
    const metrics = testMetrics();
    const node = new NodeMetrics(metrics, 'im-2', new Set());
    const now = 1_000_000;
    const local = new LocalRooms(fakeIo({ 'user:b': ['sb'] }), new MembershipLog(), node.deliveries, node.relayLag, () => now);
    emits(local);
    const values = (await metrics.relayDeliveryLag.get()).values;
    const pick = (name: string, le?: number) =>
      values.find((v) => {
        const labels = v.labels as Record<string, string | number | undefined>;
        return v.metricName === name && labels.node === 'im-2' && (le === undefined || labels.le === le);
      })?.value ?? 0;
    return {
      count: pick('parley_relay_delivery_lag_seconds_count'),
      sum: pick('parley_relay_delivery_lag_seconds_sum'),
      under50ms: pick('parley_relay_delivery_lag_seconds_bucket', 0.05),
    };
  }

  it('times each relayed message:new from its creation on the sending node to its push here', async () => {
    const lag = await lagOf((local) => {
      local.emit(['user:b'], 'message:new', message(1_000_000 - 30), undefined, 'relayed');
      local.emit(['user:b'], 'message:new', message(1_000_000 - 400), undefined, 'relayed');
    });
    expect(lag.count).toBe(2);
    expect(lag.sum).toBeCloseTo(0.43, 6);
    expect(lag.under50ms).toBe(1);
  });

  it('times nothing sent on this node, no other event, and no message without a creation time', async () => {
    const lag = await lagOf((local) => {
      local.emit(['user:b'], 'message:new', message(1), undefined, 'local');
      local.emit(['user:b'], 'typing', { conversationId: 'd:a:b', userId: 'a' }, undefined, 'relayed');
      local.emit(['user:b'], 'message:new', {} as Message, undefined, 'relayed');
    });
    expect(lag.count).toBe(0);
  });

  it('counts a message from a sender whose clock runs ahead as no lag, never a negative one', async () => {
    const lag = await lagOf((local) => local.emit(['user:b'], 'message:new', message(1_000_000 + 5_000), undefined, 'relayed'));
    expect(lag).toEqual({ count: 1, sum: 0, under50ms: 1 });
  });
});
