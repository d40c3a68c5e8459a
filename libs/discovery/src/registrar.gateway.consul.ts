import type { GatewayRegistrar, GatewayRegistration } from '@parley/domain';
import { ConsulServiceRegistrar, type ConsulServiceRegistrarOptions } from './consul-service-registrar';
import { isRelayAddress } from './relay-address';

/** serviceName defaults to 'parley-gateway'. */
export type ConsulGatewayRegistrarOptions = ConsulServiceRegistrarOptions;

/**
 * Gateway side of gateway discovery on Consul: registers the gateway (service
 * ID = gatewayId, Meta { gatewayId, relay }) with an HTTP check on its
 * healthUrl (/readyz), and keeps it registered (see ConsulServiceRegistrar).
 */
export class ConsulGatewayRegistrar extends ConsulServiceRegistrar implements GatewayRegistrar {
  constructor(options: ConsulGatewayRegistrarOptions = {}) {
    super(options, 'parley-gateway', 'gateway');
  }

  async register(gateway: GatewayRegistration): Promise<void> {
    const { gatewayId, relayAddress, address, port, healthUrl } = gateway;
    const problems = isRelayAddress(relayAddress) ? [] : ['relayAddress is not host:port'];
    await this.registerService({ id: gatewayId, address, port, healthUrl, meta: { gatewayId, relay: relayAddress } }, problems);
  }
}
