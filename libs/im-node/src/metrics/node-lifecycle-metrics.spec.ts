import crypto from 'node:crypto';
import { JwtTokenService } from '@parley/auth';
import { MemoryNodeRegistry } from '@parley/discovery';
import { systemClock } from '@parley/domain';
import { MemoryPresence } from '@parley/presence';
import { SqliteStore } from '@parley/store';
import { createLogger, createUlidGenerator } from '@parley/util-node';
import { ImNode } from '../im-node';
import { DEFAULT_PRESENCE_KEEPER } from '../presence-keeper';
import { OneGatewayRelay } from '../testing/one-gateway-relay';
import { testMetrics } from '../testing/test-metrics';

/** The series of the registry text that carry node="<id>" (what Prometheus would keep of that node). */
const seriesOfNode = (text: string, nodeId: string): string[] => text.split('\n').filter((line) => !line.startsWith('#') && line.includes(`node="${nodeId}"`));

describe('an IM node in its registry (what /metrics shows over its life)', () => {
  const metrics = testMetrics();
  const store = new SqliteStore({ filename: ':memory:' });
  const relay = new OneGatewayRelay();
  let node: ImNode;
  let base = '';

  beforeAll(async () => {
    node = new ImNode(
      { nodeId: 'im-life', host: '127.0.0.1', port: 0, drainSpreadMs: 10, drainTimeoutMs: 1_000, presence: DEFAULT_PRESENCE_KEEPER },
      {
        store,
        presence: new MemoryPresence({ clock: systemClock }),
        registrar: new MemoryNodeRegistry(),
        tokens: new JwtTokenService({ secret: crypto.randomBytes(48).toString('base64url') }, systemClock),
        clock: systemClock,
        ids: createUlidGenerator(),
        logger: createLogger({ name: 'test', level: 'silent' }),
        relay,
        metrics,
        // The operator's drain is not under test here.
        adminDrain: () => undefined,
      },
    );
    const { port } = await node.start();
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await node.close();
    await store.close();
  });

  const scrape = async (): Promise<string> => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  };

  it('reads ready 1 at its first scrape, before anything asked /readyz', async () => {
    const text = await scrape();
    expect(text).toContain('parley_ready{node="im-life",gateway=""} 1');
    expect(text).toContain('parley_draining{node="im-life"} 0');
  });

  it('shows invalid admin commands in parley_relay_frames_dropped_total at every scrape, not only until the next', async () => {
    const handler = relay.adminHandler;
    if (!handler) throw new Error('the node gave the relay no admin-command handler');
    for (let i = 0; i < 3; i++) handler({ id: `c${i}`, kind: 'self-destruct', payload: new Uint8Array() }, 'gw-1');
    handler({ id: 'n1', kind: 'notice', payload: new TextEncoder().encode('{not json') }, 'gw-1');
    for (let round = 0; round < 2; round++) {
      const text = await scrape();
      expect(text).toContain('parley_relay_frames_dropped_total{node="im-life",gateway="",reason="admin_unknown-kind"} 3');
      expect(text).toContain('parley_relay_frames_dropped_total{node="im-life",gateway="",reason="admin_bad-json"} 1');
    }
  });

  it('reports nothing of itself once drained and closed (no draining 1 or ready 0 left behind for ever)', async () => {
    const before = seriesOfNode((await metrics.text()).body, 'im-life');
    expect(before.some((line) => line.startsWith('parley_sockets_connected'))).toBe(true);
    await node.drain();
    const after = seriesOfNode((await metrics.text()).body, 'im-life');
    const observedFamilies = ['parley_ready', 'parley_draining', 'parley_sockets_connected', 'parley_users_connected', 'parley_relay_outbox_depth', 'parley_relay_frames_dropped_total'];
    expect(after.filter((line) => observedFamilies.some((family) => line.startsWith(`${family}{`)))).toEqual([]);
  });
});
