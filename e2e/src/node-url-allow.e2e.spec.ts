import fs from 'node:fs';
import path from 'node:path';
import { at, startCluster, type Cluster } from '@parley/testing';
import { TestUser } from './support/test-user';

jest.setTimeout(60_000);

const NAME = 'node-url-allow-e2e';
const GATEWAY_LOG = path.resolve(__dirname, '../../tmp/cluster-logs', `${NAME}-gw-1.log`);

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the gateway hands out only allow-listed node URLs (default: loopback)', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1, name: NAME });
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  /** Registers straight in Consul, as anyone with write access could; the check probes im-1's real /healthz. */
  const registerInConsul = async (id: string, url: string): Promise<void> => {
    const node = at(cluster.nodes, 0, 'IM node');
    const res = await fetch(`${cluster.consul.url}/v1/agent/service/register`, {
      method: 'PUT',
      body: JSON.stringify({
        Name: 'parley-im',
        ID: id,
        Address: '127.0.0.1',
        Port: node.port,
        Meta: { url, nodeId: id },
        Check: { HTTP: `${node.url}/healthz`, Interval: '1s' },
      }),
    });
    expect(res.status).toBe(200);
    await until(() => (cluster.consul.services().find((s) => s.id === id)?.checks[0]?.status === 'passing' ? true : undefined), `${id} passing`);
  };

  it('never assigns or lists a rogue registration with a passing check, and warns about it once', async () => {
    await registerInConsul('rogue', 'http://evil.example:9999');
    // Registered after the rogue: once the gateway lists it, it has seen the rogue too.
    await registerInConsul('im-extra', `http://localhost:${at(cluster.nodes, 0, 'IM node').port}`);
    await cluster.waitForHealthyNodes(['im-1', 'im-extra']);

    const user = await TestUser.register(cluster.gatewayUrl, 'allow');
    const assigned = new Map<string, string>();
    for (let i = 0; i < 10; i++) {
      const { nodeId, url } = await user.assign(i % 2 ? `group:${i}` : undefined);
      assigned.set(nodeId, url);
    }
    expect([...assigned.keys()].sort()).toEqual(['im-1', 'im-extra']);
    expect([...assigned.values()].join(' ')).not.toContain('evil.example');

    const listing = await fetch(`${cluster.gatewayUrl}/api/nodes`, { headers: { authorization: `Bearer ${user.auth.token}` } });
    expect(JSON.stringify(await listing.json())).not.toContain('evil.example');

    const warnings = await until(() => {
      const lines = fs.readFileSync(GATEWAY_LOG, 'utf8').split('\n').filter((l) => l.includes('ignoring IM node'));
      return lines.length > 0 ? lines : undefined;
    }, 'the gateway warning');
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(at(warnings, 0, 'warning'))).toMatchObject({ level: 40, nodeId: 'rogue', host: 'evil.example:9999' });
  });
});
