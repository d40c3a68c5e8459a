import { randomUUID } from 'node:crypto';
import { eventually } from './discovery.contract';
import { ConsulNodeDirectory } from './directory.consul';
import { ConsulGatewayDirectory } from './directory.gateway.consul';
import { startHealthz, type HealthzFixture } from './healthz.fixture';
import { ConsulNodeRegistrar } from './registrar.consul';
import { ConsulGatewayRegistrar } from './registrar.gateway.consul';

/**
 * The registration/health round trip against a real Consul agent; runs only
 * when CONSUL_HTTP_ADDR is set (CONSUL_HTTP_TOKEN is used if present). If the
 * agent cannot reach 127.0.0.1 of this machine (e.g. it runs in a container),
 * set PARLEY_TEST_CONSUL_CHECK_HOST to the address it should check us on.
 */
const address = process.env.CONSUL_HTTP_ADDR;
const d = address ? describe : describe.skip;

d('Consul discovery against a real agent', () => {
  const checkHost = process.env.PARLEY_TEST_CONSUL_CHECK_HOST;
  // Unique service names so the test never touches a real cluster's nodes or gateways.
  const suffix = randomUUID().slice(0, 8);
  const serviceName = `parley-im-test-${suffix}`;
  const gatewayServiceName = `parley-gateway-test-${suffix}`;
  const connection = { address, token: process.env.CONSUL_HTTP_TOKEN };
  let healthz: HealthzFixture;
  let registrar: ConsulNodeRegistrar;
  let directory: ConsulNodeDirectory;
  let gatewayRegistrar: ConsulGatewayRegistrar;
  let gateways: ConsulGatewayDirectory;

  beforeAll(async () => {
    healthz = await startHealthz(checkHost ? '0.0.0.0' : '127.0.0.1', checkHost ?? '127.0.0.1');
    registrar = new ConsulNodeRegistrar({ ...connection, serviceName, checkIntervalMs: 1_000, checkTimeoutMs: 1_000 });
    directory = new ConsulNodeDirectory({ ...connection, serviceName, waitMs: 5_000 });
    gatewayRegistrar = new ConsulGatewayRegistrar({ ...connection, serviceName: gatewayServiceName, checkIntervalMs: 1_000 });
    gateways = new ConsulGatewayDirectory({ ...connection, serviceName: gatewayServiceName, waitMs: 5_000 });
    await Promise.all([directory.start(), gateways.start()]);
  });

  afterAll(async () => {
    await registrar?.deregister('real-1').catch(() => undefined);
    await registrar?.close();
    await gatewayRegistrar?.deregister('real-gw-1').catch(() => undefined);
    await gatewayRegistrar?.close();
    await directory?.stop();
    await gateways?.stop();
    await healthz?.close();
  });

  it('sees a node appear when healthy, drop out when /healthz fails, and go on deregister', async () => {
    const node = healthz.registration('real-1');
    await registrar.register(node);
    await eventually(() => (directory.healthyNodes().length === 1 ? true : undefined), 20_000);
    expect(directory.healthyNodes()).toEqual([{ nodeId: 'real-1', url: node.url }]);

    healthz.status = 500;
    await eventually(() => (directory.healthyNodes().length === 0 ? true : undefined), 20_000);

    healthz.status = 200;
    await eventually(() => (directory.healthyNodes().length === 1 ? true : undefined), 20_000);

    await registrar.deregister('real-1');
    await eventually(() => (directory.healthyNodes().length === 0 ? true : undefined), 20_000);
  }, 90_000);

  it('sees a gateway appear with its relay address once its /readyz passes, and go on deregister', async () => {
    const gateway = healthz.gatewayRegistration('real-gw-1');
    healthz.status = 200;
    await gatewayRegistrar.register(gateway);
    await eventually(() => (gateways.liveGateways().length === 1 ? true : undefined), 20_000);
    expect(gateways.liveGateways()).toEqual([{ gatewayId: 'real-gw-1', relayAddress: gateway.relayAddress }]);

    await gatewayRegistrar.deregister('real-gw-1');
    await eventually(() => (gateways.liveGateways().length === 0 ? true : undefined), 20_000);
  }, 60_000);
});
