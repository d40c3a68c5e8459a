import { at, startConsulSimulator, type ConsulSimulator, type ConsulSimulatorOptions } from '@parley/testing';
import { eventually, ids } from './discovery.contract';
import { ConsulNodeDirectory } from './directory.consul';
import { ConsulGatewayDirectory } from './directory.gateway.consul';
import { startHealthz, type HealthzFixture } from './healthz.fixture';
import { relays } from './gateway-discovery.contract';
import { ConsulNodeRegistrar } from './registrar.consul';
import { ConsulGatewayRegistrar } from './registrar.gateway.consul';
import type { ConsulServiceRegistrarOptions } from './consul-service-registrar';

/** Registrars keep their service registered when the Consul agent forgets it. */
describe('Consul registrars: anti-entropy', () => {
  let sim: ConsulSimulator;
  let nodeHealth: HealthzFixture;
  let gatewayHealth: HealthzFixture;
  let nodes: ConsulNodeRegistrar;
  let gateways: ConsulGatewayRegistrar;
  let nodeDirectory: ConsulNodeDirectory;
  let gatewayDirectory: ConsulGatewayDirectory;
  const info = jest.fn();
  const warn = jest.fn();

  const fast = (extra: ConsulServiceRegistrarOptions = {}): ConsulServiceRegistrarOptions => ({
    address: sim.url,
    checkIntervalMs: 100,
    checkTimeoutMs: 500,
    retryMinDelayMs: 20,
    retryMaxDelayMs: 100,
    antiEntropyMs: 100,
    logger: { info, warn },
    ...extra,
  });
  const watch = () => ({ address: sim.url, waitMs: 10_000, startTimeoutMs: 1_000, retryMinDelayMs: 20, retryMaxDelayMs: 200 });
  const setUp = async (simOptions: ConsulSimulatorOptions = {}, registrarOptions: ConsulServiceRegistrarOptions = {}) => {
    sim = await startConsulSimulator({ minCheckIntervalMs: 50, staggerChecks: false, ...simOptions });
    nodes = new ConsulNodeRegistrar(fast(registrarOptions));
    gateways = new ConsulGatewayRegistrar(fast(registrarOptions));
    nodeDirectory = new ConsulNodeDirectory(watch());
    gatewayDirectory = new ConsulGatewayDirectory(watch());
    await Promise.all([nodeDirectory.start(), gatewayDirectory.start()]);
  };
  const bothListed = () =>
    ids(nodeDirectory.healthyNodes()).join() === 'im-1' &&
    relays(gatewayDirectory.liveGateways()).join() === gatewayHealth.gatewayRegistration('gw-1').relayAddress
      ? true
      : undefined;
  const reRegistrations = () =>
    info.mock.calls
      .filter(([, msg]) => String(msg).startsWith('registered in consul again'))
      .map(([f]) => f as Record<string, string>)
      .filter((f) => f.nodeId !== 'im-control');
  /** Anti-entropy's questions about one service (GET /v1/agent/service/:id). */
  const checksOf = (id: string) => sim.requests().filter((r) => r.method === 'GET' && r.path === `/v1/agent/service/${id}`).length;
  const allChecks = () => sim.requests().filter((r) => r.method === 'GET' && r.path.startsWith('/v1/agent/service')).length;
  /** A registrar of its own whose rounds pace the tests that look for something not happening. */
  let control: ConsulNodeRegistrar | undefined;
  const startControl = async () => {
    control = new ConsulNodeRegistrar(fast());
    await control.register(nodeHealth.registration('im-control'));
  };
  const controlRounds = async (rounds: number) => {
    const from = checksOf('im-control');
    await eventually(() => (checksOf('im-control') >= from + rounds ? true : undefined));
  };

  beforeEach(async () => {
    info.mockClear();
    warn.mockClear();
    nodeHealth = await startHealthz();
    gatewayHealth = await startHealthz();
  });

  afterEach(async () => {
    await Promise.all([nodes.close(), gateways.close(), control?.close()]);
    control = undefined;
    await Promise.all([nodeDirectory.stop(), gatewayDirectory.stop()]);
    await Promise.all([nodeHealth.close(), gatewayHealth.close()]);
    await sim.stop();
  });

  const registerBoth = async () => {
    await nodes.register(nodeHealth.registration('im-1'));
    await gateways.register(gatewayHealth.gatewayRegistration('gw-1'));
    await eventually(bothListed);
  };

  it('puts a node and a gateway back, passing, after the agent forgets them, with one info line each', async () => {
    await setUp();
    await registerBoth();
    sim.forgetAll();
    expect(sim.services()).toEqual([]);
    await eventually(() => (reRegistrations().length === 2 ? true : undefined)); // without any call from the test
    await eventually(() => (sim.services().filter((s) => s.checks[0]?.status === 'passing').length === 2 ? true : undefined));
    await eventually(bothListed);
    expect(sim.services().map((s) => [s.id, s.checks[0]?.status])).toEqual(
      expect.arrayContaining([
        ['im-1', 'passing'],
        ['gw-1', 'passing'],
      ]),
    );
    expect(sim.services().find((s) => s.id === 'gw-1')?.meta).toEqual({
      gatewayId: 'gw-1',
      relay: gatewayHealth.gatewayRegistration('gw-1').relayAddress,
    });
    expect(reRegistrations()).toHaveLength(2);
    expect(reRegistrations()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nodeId: 'im-1', service: 'parley-im' }),
        expect.objectContaining({ gatewayId: 'gw-1', service: 'parley-gateway' }),
      ]),
    );
    expect(warn).not.toHaveBeenCalled();
  });

  it('keeps trying through a Consul outage that lost its state: warns once, not per round, and re-registers when back', async () => {
    await setUp({ outage: 'no-leader' }); // failing answers, so the rounds can be counted
    await registerBoth();
    await sim.setUnavailable(true);
    sim.forgetAll();
    const [node0, gateway0] = [checksOf('im-1'), checksOf('gw-1')];
    await eventually(() => (checksOf('im-1') >= node0 + 6 && checksOf('gw-1') >= gateway0 + 6 ? true : undefined));
    const failedRounds = Math.max(checksOf('im-1') - node0, checksOf('gw-1') - gateway0);
    const warned = warn.mock.calls.map(([f, msg]) => [(f as { failures: number }).failures, msg]);
    const firsts = warned.filter(([failures]) => failures === 1);
    expect(firsts).toEqual([
      [1, 'consul registration check failed; will retry'],
      [1, 'consul registration check failed; will retry'],
    ]);
    // Later warnings only every tenth failed round: far fewer than the rounds.
    expect(warned.every(([failures]) => failures === 1 || (failures as number) % 10 === 0)).toBe(true);
    expect(warned.length).toBeLessThanOrEqual(2 * (1 + Math.floor(failedRounds / 10)));
    await sim.setUnavailable(false);
    await eventually(() => (reRegistrations().length === 2 ? true : undefined));
    await eventually(() => (sim.services().filter((s) => s.checks[0]?.status === 'passing').length === 2 ? true : undefined));
    await eventually(bothListed);
  });

  it('puts a service back after a stall long enough for the reaper to remove it', async () => {
    await setUp({ reapIntervalMs: 50, minDeregisterCriticalMs: 0 }, { deregisterCriticalAfterMs: 300 });
    await registerBoth();
    nodeHealth.status = 503; // the node hangs on: critical, then reaped
    await eventually(() => (sim.services().some((s) => s.id === 'im-1') ? undefined : true));
    nodeHealth.status = 200;
    await eventually(() => (reRegistrations().some((f) => f.nodeId === 'im-1') ? true : undefined));
    await eventually(bothListed);
  });

  it('stops on deregister(): the service stays gone and the agent is not asked any more', async () => {
    await setUp();
    await registerBoth();
    await startControl();
    await nodes.deregister('im-1');
    await gateways.deregister('gw-1');
    // deregister() stopped (and cancelled) the loops: at most a question already on the wire arrives after it.
    const asked = [checksOf('im-1'), checksOf('gw-1')];
    await controlRounds(4);
    expect(sim.services().map((s) => s.id)).toEqual(['im-control']);
    expect(checksOf('im-1')).toBeLessThanOrEqual(at(asked, 0, 'checks') + 1);
    expect(checksOf('gw-1')).toBeLessThanOrEqual(at(asked, 1, 'checks') + 1);
    expect(reRegistrations()).toEqual([]);
  });

  it('stops on close(): once it resolves nothing puts the services back', async () => {
    await setUp();
    await registerBoth();
    await startControl();
    await Promise.all([nodes.close(), gateways.close()]);
    const asked = [checksOf('im-1'), checksOf('gw-1')];
    sim.forgetAll(); // the control's loop puts its own service back
    await controlRounds(4);
    expect(sim.services().map((s) => s.id)).toEqual(['im-control']);
    expect(checksOf('im-1')).toBeLessThanOrEqual(at(asked, 0, 'checks') + 1);
    expect(checksOf('gw-1')).toBeLessThanOrEqual(at(asked, 1, 'checks') + 1);
    expect(reRegistrations()).toEqual([]);
  });

  it('keeps one loop per service when the same id is registered twice at once (deregister then ends it)', async () => {
    await setUp();
    await startControl();
    const node = nodeHealth.registration('im-1');
    await Promise.all([nodes.register(node), nodes.register(node)]);
    const from = [checksOf('im-1'), checksOf('im-control')];
    await controlRounds(6);
    // Two loops would ask about im-1 twice per control round.
    expect(checksOf('im-1') - at(from, 0, 'checks')).toBeLessThanOrEqual(checksOf('im-control') - at(from, 1, 'checks') + 1);
    await nodes.deregister('im-1');
    await controlRounds(4); // a leaked loop would put im-1 back within a round
    expect(sim.services().map((s) => s.id)).toEqual(['im-control']);
    expect(reRegistrations()).toEqual([]);
  });

  it('is off with antiEntropyMs: 0', async () => {
    await setUp({}, { antiEntropyMs: 0 });
    await registerBoth();
    await startControl(); // fast(): anti-entropy on for this one only
    sim.forgetAll();
    await controlRounds(4);
    expect(allChecks()).toBe(checksOf('im-control'));
    expect(sim.services().filter((s) => s.id !== 'im-control')).toEqual([]);
  });
});
