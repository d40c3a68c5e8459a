import { startConsulSimulator, type ConsulSimulator, type ConsulSimulatorOptions } from '@parley/testing';
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
    info.mock.calls.filter(([, msg]) => String(msg).startsWith('registered in consul again')).map(([f]) => f as Record<string, string>);
  const servicesChecks = () => sim.requests().filter((r) => r.path === '/v1/agent/services').length;

  beforeEach(async () => {
    info.mockClear();
    warn.mockClear();
    nodeHealth = await startHealthz();
    gatewayHealth = await startHealthz();
  });

  afterEach(async () => {
    nodes.close();
    gateways.close();
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

  it('keeps trying through a Consul restart that lost its state: warns once, not per round, and re-registers when back', async () => {
    await setUp();
    await registerBoth();
    await sim.setUnavailable(true);
    sim.forgetAll();
    const failuresBefore = sim.requests().length;
    await new Promise((r) => setTimeout(r, 600)); // about six rounds each, all failing
    expect(sim.requests().length).toBe(failuresBefore); // unreachable indeed
    expect(warn.mock.calls.map(([f, msg]) => [(f as { failures: number }).failures, msg])).toEqual([
      [1, 'consul registration check failed; will retry'],
      [1, 'consul registration check failed; will retry'],
    ]);
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
    await nodes.deregister('im-1');
    await gateways.deregister('gw-1');
    const asked = servicesChecks();
    await new Promise((r) => setTimeout(r, 400));
    expect(sim.services()).toEqual([]);
    expect(servicesChecks()).toBe(asked);
    expect(reRegistrations()).toEqual([]);
  });

  it('stops on close()', async () => {
    await setUp();
    await registerBoth();
    nodes.close();
    gateways.close();
    await new Promise((r) => setTimeout(r, 200)); // a check already on the wire may still land
    const asked = servicesChecks();
    sim.forgetAll();
    await new Promise((r) => setTimeout(r, 400));
    expect(servicesChecks()).toBe(asked);
    expect(sim.services()).toEqual([]);
  });

  it('is off with antiEntropyMs: 0', async () => {
    await setUp({}, { antiEntropyMs: 0 });
    await registerBoth();
    sim.forgetAll();
    await new Promise((r) => setTimeout(r, 400));
    expect(servicesChecks()).toBe(0);
    expect(sim.services()).toEqual([]);
  });
});
