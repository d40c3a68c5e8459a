import crypto from 'node:crypto';
import { JwtTokenService } from '@parley/auth';
import { MemoryNodeRegistry } from '@parley/discovery';
import { systemClock, type PasswordHasher, type Store } from '@parley/domain';
import { MemoryThrottleFactory } from '@parley/limits';
import { ParleyMetrics } from '@parley/observability';
import { RelayAuth } from '@parley/relay';
import { openStore } from '@parley/store';
import { createUlidGenerator } from '@parley/util-node';
import { createGateway } from '../create-gateway';

const plainHasher: PasswordHasher = {
  hash: async (password) => `plain:${password}`,
  verify: async (hash, password) => hash === `plain:${password}`,
};
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: function () { return this; } };

describe('a gateway in its registry (what /metrics shows over its life)', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore({ kind: 'sqlite', filename: ':memory:' });
  });
  afterEach(() => store.close());

  it('reads ready 1 at its first scrape (nothing asked /readyz), and reports no observed series once stopped', async () => {
    // Shared with others, as in embedded mode: a stopped gateway must leave nothing of its own behind.
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    const gateway = createGateway({
      gatewayId: 'gw-life',
      metrics,
      relayHost: '127.0.0.1',
      relayPort: 0,
      relayAuth: new RelayAuth({ secret: crypto.randomBytes(32).toString('base64url') }),
      router: 'round-robin',
      store,
      directory: new MemoryNodeRegistry(),
      hasher: plainHasher,
      passwordPolicy: { check: () => undefined },
      throttles: new MemoryThrottleFactory(),
      tokens: new JwtTokenService({ secret: crypto.randomBytes(48).toString('base64url') }, systemClock),
      ids: createUlidGenerator(),
      clock: systemClock,
      logger: silent,
    });
    const { httpUrl } = await gateway.start({ host: '127.0.0.1', port: 0 });
    let stopped = false;
    try {
      const text = await (await fetch(`${httpUrl}/metrics`)).text();
      expect(text).toContain('parley_ready{node="",gateway="gw-life"} 1');
      await gateway.stop();
      stopped = true;
      const after = (await metrics.text()).body.split('\n');
      const observed = ['parley_ready{', 'parley_relay_frames_total{', 'parley_relay_frames_dropped_total{', 'parley_relay_streams_up{'];
      expect(after.filter((line) => line.includes('gateway="gw-life"') && observed.some((family) => line.startsWith(family)))).toEqual([]);
    } finally {
      if (!stopped) await gateway.stop();
    }
  });
});
