import { ConsulGatewayDirectory, StaticGatewayDirectory } from '@parley/discovery';
import type { GatewayDirectory, GatewayInstance } from '@parley/domain';
import type { Logger } from '@parley/util';
import type { ImConfig } from './config';

/** The gateways this node keeps relay streams to: the fixed PARLEY_GATEWAYS, or Consul's live ones. */
export function gatewayDirectoryOf(config: ImConfig, logger: Logger): GatewayDirectory {
  return config.gatewaySource.kind === 'consul'
    ? new ConsulGatewayDirectory({
        address: config.PARLEY_CONSUL_ADDR,
        serviceName: config.PARLEY_CONSUL_GATEWAY_SERVICE,
        token: config.PARLEY_CONSUL_TOKEN,
        logger,
      })
    : new StaticGatewayDirectory(config.gatewaySource.addresses);
}

export function relayAddressesOf(gateways: readonly GatewayInstance[]): string[] {
  return gateways.map((gateway) => gateway.relayAddress);
}
