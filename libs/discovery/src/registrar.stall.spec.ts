import { ParleyError } from '@parley/protocol';
import { eventually } from './discovery.contract';
import { ConsulGatewayRegistrar } from './registrar.gateway.consul';
import { startStallingConsul, type StallingConsul } from './stalling-consul.fixture';

/** The registrar against a Consul agent that stops answering: shutdown must not wait on it. */
describe('Consul registrar when Consul hangs', () => {
  let consul: StallingConsul;
  let registrar: ConsulGatewayRegistrar;
  const gateway = {
    gatewayId: 'gw-1',
    relayAddress: '127.0.0.1:50051',
    address: '127.0.0.1',
    port: 50051,
    healthUrl: 'http://127.0.0.1:8080/readyz',
  };
  const requestsTo = (method: string, prefix: string) => consul.requests.filter((r) => r.method === method && r.path.startsWith(prefix));

  beforeEach(async () => {
    consul = await startStallingConsul();
  });

  afterEach(async () => {
    await registrar.close();
    await consul.close();
  });

  it('deregister() gives up within its deadline, after its attempts, with the requests cancelled', async () => {
    consul.answer = () => 'stall';
    // Request timeout and retries as in production: only the deregistration deadline is small.
    registrar = new ConsulGatewayRegistrar({ address: consul.url, deregisterTimeoutMs: 300, deregisterAttempts: 2 });
    const err = await registrar.deregister('gw-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParleyError);
    expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    const sent = requestsTo('PUT', '/v1/agent/service/deregister/gw-1');
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThanOrEqual(2);
    await eventually(() => (sent.every((r) => r.clientGone) ? true : undefined)); // not left running
  });

  it('deregister() settles within its deadline while an anti-entropy question hangs', async () => {
    consul.answer = (method) => (method === 'PUT' ? { status: 200 } : 'stall');
    // Requests would time out only after 20 s: a question seen ended sooner was cancelled.
    registrar = new ConsulGatewayRegistrar({ address: consul.url, antiEntropyMs: 20, deregisterTimeoutMs: 300, requestTimeoutMs: 20_000 });
    await registrar.register(gateway);
    await eventually(() => (requestsTo('GET', '/v1/agent/service/gw-1').length > 0 ? true : undefined));
    consul.answer = () => 'stall';
    await expect(registrar.deregister('gw-1')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const asked = requestsTo('GET', '/v1/agent/service/gw-1');
    await eventually(() => (asked.every((r) => r.clientGone) ? true : undefined));
  });

  it('close() cancels a re-registration in flight and resolves only once it has ended', async () => {
    let registrations = 0;
    consul.answer = (method) => {
      if (method === 'GET') return { status: 404, body: '"unknown service ID"' }; // the agent forgot it
      registrations += 1;
      return registrations === 1 ? { status: 200 } : 'stall'; // the re-registration hangs
    };
    registrar = new ConsulGatewayRegistrar({ address: consul.url, antiEntropyMs: 20, requestTimeoutMs: 20_000 });
    await registrar.register(gateway);
    await eventually(() => (registrations === 2 ? true : undefined));
    const reRegistration = requestsTo('PUT', '/v1/agent/service/register').at(-1);
    await registrar.close();
    // Cancelled (it would time out only after 20 s), not left to land after close(); and no round after it.
    await eventually(() => (reRegistration?.clientGone ? true : undefined));
    expect(registrations).toBe(2);
  });
});
