import { ParleyError } from '@parley/protocol';
import { startConsulSimulator, type ConsulSimulator } from '@parley/testing';
import { consulEngine } from './consul-engine.fixture';
import { describeDiscoveryContract, eventually } from './discovery.contract';
import { ConsulNodeDirectory } from './directory.consul';
import { startHealthz, type HealthzFixture } from './healthz.fixture';
import { ConsulNodeRegistrar } from './registrar.consul';

/** Consul ACL tokens are UUIDs; this one is the simulator's only token. */
const TOKEN = '5f0c6a8e-2d4b-4c1a-9e7f-3b8d1c2a4e6f';

const startAclSim = () => startConsulSimulator({ minCheckIntervalMs: 50, aclToken: TOKEN });
const fast = { checkIntervalMs: 100, retryMinDelayMs: 20, retryMaxDelayMs: 100 };
const fastWatch = { waitMs: 10_000, startTimeoutMs: 1_000, retryMinDelayMs: 20, retryMaxDelayMs: 200 };

describeDiscoveryContract('Consul (simulator with ACLs, token set)', async () => {
  const sim = await startAclSim();
  return consulEngine(sim, { address: sim.url, token: TOKEN, ...fast }, { address: sim.url, token: TOKEN, ...fastWatch });
});

describe('Consul discovery when Consul enforces ACLs', () => {
  let sim: ConsulSimulator;
  let healthz: HealthzFixture;
  const closers: Array<() => unknown> = [];
  const logs: unknown[][] = [];
  const logger = { info: (...args: unknown[]) => logs.push(args), warn: jest.fn((...args: unknown[]) => logs.push(args)) };

  const registrar = (token?: string): ConsulNodeRegistrar => {
    const r = new ConsulNodeRegistrar({ address: sim.url, token, logger, ...fast });
    closers.push(() => r.close());
    return r;
  };
  const directory = (token?: string): ConsulNodeDirectory => {
    const d = new ConsulNodeDirectory({ address: sim.url, token, logger, ...fastWatch });
    closers.push(() => d.stop());
    return d;
  };
  /** A node registered with the right token whose check passes. */
  const registerHealthyNode = async (nodeId: string): Promise<void> => {
    await registrar(TOKEN).register(healthz.registration(nodeId));
    await eventually(() => (sim.services()[0]?.checks[0]?.status === 'passing' ? true : undefined));
  };

  beforeEach(async () => {
    sim = await startAclSim();
    healthz = await startHealthz();
    logs.length = 0;
    logger.warn.mockClear();
  });

  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await healthz.close();
    await sim.stop();
    expect(JSON.stringify(logs)).not.toContain(TOKEN);
  });

  it('registers and watches healthy nodes with the token, and logs it nowhere', async () => {
    const watch = directory(TOKEN);
    await watch.start();
    await registerHealthyNode('im-1');
    await eventually(() => (watch.healthyNodes().length === 1 ? true : undefined));
    expect(watch.healthyNodes()).toEqual([{ nodeId: 'im-1', url: healthz.registration('im-1').url }]);
    expect(logger.warn).not.toHaveBeenCalled();
    expect(logs.length).toBeGreaterThan(0); // 'registered in consul', without the token
  });

  it("anti-entropy asks after the service with the token (GET /v1/agent/service/:id), and puts it back once the agent forgot it", async () => {
    const r = new ConsulNodeRegistrar({ address: sim.url, token: TOKEN, logger, ...fast, antiEntropyMs: 50 });
    closers.push(() => r.close());
    await r.register(healthz.registration('im-1'));
    const asked = () => sim.requests().filter((q) => q.method === 'GET' && q.path === '/v1/agent/service/im-1').length;
    await eventually(() => (asked() >= 2 ? true : undefined));
    sim.forgetAll(); // answered 404 from now on; a question without the token would get 403 and never learn it
    await eventually(() => (sim.services().some((s) => s.id === 'im-1') ? true : undefined));
    // The simulator holds the service before the registrar has read its answer and logged it.
    const loggedAgain = () => logs.some(([, msg]) => String(msg).startsWith('registered in consul again'));
    expect(await eventually(() => (loggedAgain() ? true : undefined))).toBe(true);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('refuses registration without a token at once: FORBIDDEN, naming the permission it lacks', async () => {
    const err = await registrar().register(healthz.registration('im-1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParleyError);
    expect((err as ParleyError).code).toBe('FORBIDDEN');
    expect((err as ParleyError).message).toBe(
      'consul rejected register of im-1 (403 Permission denied: token with AccessorID ' +
        `'00000000-0000-0000-0000-000000000002' lacks permission 'service:write' on "parley-im"); ` +
        'the Consul ACL token must exist and allow service:write on "parley-im"',
    );
    expect(sim.requests().filter((r) => r.path === '/v1/agent/service/register')).toHaveLength(1); // no retries
    expect(sim.services()).toEqual([]);
  });

  it('refuses registration and deregistration with a wrong token: FORBIDDEN "ACL not found"', async () => {
    const wrong = registrar('0d9c8b7a-6f5e-4d3c-2b1a-000000000000');
    await expect(wrong.register(healthz.registration('im-1'))).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('(403 ACL not found)'),
    });
    await registerHealthyNode('im-1');
    await expect(wrong.deregister('im-1')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(sim.services().map((s) => s.id)).toEqual(['im-1']);
  });

  it('watching without a token sees no node and says why, once', async () => {
    await registerHealthyNode('im-1');
    const watch = directory();
    await watch.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(watch.healthyNodes()).toEqual([]);
    const aclWarnings = logger.warn.mock.calls.filter(([, msg]) => String(msg).startsWith('consul ACLs may hide IM nodes'));
    expect(aclWarnings).toEqual([
      [
        expect.objectContaining({ service: 'parley-im', reason: 'no ACL token is set' }),
        'consul ACLs may hide IM nodes from this gateway: the token needs service:read on "parley-im" and node:read',
      ],
    ]);
  });

  it('watching with a wrong token fails clearly and keeps retrying', async () => {
    await registerHealthyNode('im-1');
    const watch = directory('0d9c8b7a-6f5e-4d3c-2b1a-000000000000');
    await watch.start();
    await eventually(() => (logger.warn.mock.calls.length > 0 ? true : undefined));
    expect(watch.healthyNodes()).toEqual([]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({
        err: 'consul refused the health query (403 ACL not found); the Consul ACL token must exist and allow service:read on "parley-im"',
      }),
      'consul health query failed; keeping last known nodes',
    );
    const queries = () => sim.requests().filter((r) => r.path === '/v1/health/service/parley-im').length;
    const before = queries();
    await eventually(() => (queries() > before ? true : undefined));
  });
});
