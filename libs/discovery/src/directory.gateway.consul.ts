import type { GatewayDirectory, GatewayInstance } from '@parley/domain';
import { ConsulServiceWatcher, type ConsulWatchOptions, type InstanceMapping } from './consul-service-watcher';
import { normalizeGateways, sameGateways } from './instance-list';
import { isRelayAddress } from './relay-address';

/** serviceName defaults to 'parley-gateway'. */
export type ConsulGatewayDirectoryOptions = ConsulWatchOptions;

/** A gateway's entry: Meta.relay is its relay's host:port; Meta.gatewayId (else the service ID) names it. */
const gatewayMapping: InstanceMapping<GatewayInstance> = {
  serviceName: 'parley-gateway',
  words: { instances: 'gateways', short: 'gateways', watcher: 'IM node' },
  fromEntry: ({ ID, Meta }) =>
    isRelayAddress(Meta.relay)
      ? { gatewayId: Meta.gatewayId || ID, relayAddress: Meta.relay }
      : { skip: Meta.relay === undefined ? 'no Meta.relay' : 'Meta.relay is not host:port' },
  normalize: normalizeGateways,
  same: sameGateways,
};

/**
 * IM-node side of gateway discovery on Consul: the passing instances of the
 * gateway service (all registered ones when none passes: panic mode), watched
 * with blocking queries (see ConsulServiceWatcher).
 */
export class ConsulGatewayDirectory extends ConsulServiceWatcher<GatewayInstance> implements GatewayDirectory {
  constructor(options: ConsulGatewayDirectoryOptions = {}) {
    super(options, gatewayMapping);
  }

  liveGateways(): readonly GatewayInstance[] {
    return this.current();
  }
}
