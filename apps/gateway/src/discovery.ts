import { ConsulGatewayRegistrar, ConsulNodeDirectory, StaticNodeDirectory } from '@parley/discovery';
import type { GatewayRegistrar, GatewayRegistration, NodeDirectory } from '@parley/domain';
import type { Logger } from '@parley/util';
import { hostPort } from '@parley/util-node';
import { parseStaticNodes, type GatewayConfig } from './config';

/** The IM nodes this gateway hands out: Consul's healthy ones, or the static list probed on /readyz. */
export function nodeDirectoryOf(config: GatewayConfig, logger: Logger): NodeDirectory {
  return config.PARLEY_DISCOVERY === 'consul'
    ? new ConsulNodeDirectory({
        address: config.PARLEY_CONSUL_ADDR,
        serviceName: config.PARLEY_CONSUL_SERVICE,
        token: config.PARLEY_CONSUL_TOKEN,
        logger,
      })
    : new StaticNodeDirectory(parseStaticNodes(config.PARLEY_STATIC_NODES), { probe: true, logger });
}

/** Where this gateway tells IM nodes about itself: Consul in consul mode, nowhere in static mode. */
export function gatewayRegistrarOf(config: GatewayConfig, logger: Logger): (GatewayRegistrar & { close(): Promise<void> }) | undefined {
  if (config.PARLEY_DISCOVERY !== 'consul') return undefined;
  return new ConsulGatewayRegistrar({
    address: config.PARLEY_CONSUL_ADDR,
    serviceName: config.PARLEY_CONSUL_GATEWAY_SERVICE,
    token: config.PARLEY_CONSUL_TOKEN,
    // Registered only once it listens with its database open, i.e. ready: passing from the start,
    // so nodes open their streams within a watch round instead of after the first check interval.
    initialStatus: 'passing',
    logger,
  });
}

/** This gateway as nodes reach it: its relay on the advertised host, checked on the advertised /readyz. */
export function gatewayRegistration(gatewayId: string, advertiseHost: string, relayPort: number, httpPort: number): GatewayRegistration {
  return {
    gatewayId,
    relayAddress: hostPort(advertiseHost, relayPort),
    address: advertiseHost,
    port: relayPort,
    healthUrl: `http://${hostPort(advertiseHost, httpPort)}/readyz`,
  };
}

const LOOPBACK = /^(127\.|localhost$|::1$|\[::1\]$)/;

/** A relay bound to loopback but advertised elsewhere is unreachable for nodes on other hosts: say so at start. */
export function warnOnLoopbackRelay(config: GatewayConfig, advertiseHost: string, logger: Logger): void {
  if (config.PARLEY_DISCOVERY === 'consul' && LOOPBACK.test(config.PARLEY_RELAY_HOST) && !LOOPBACK.test(advertiseHost)) {
    logger.warn(
      { relayHost: config.PARLEY_RELAY_HOST, advertiseHost },
      'the relay listens on loopback only but is advertised on another host: IM nodes elsewhere cannot reach it (set PARLEY_RELAY_HOST)',
    );
  }
}
