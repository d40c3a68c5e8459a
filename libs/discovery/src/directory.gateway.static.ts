import type { GatewayDirectory, GatewayInstance } from '@parley/domain';
import { normalizeGateways } from './instance-list';
import { isRelayAddress } from './relay-address';

/**
 * A fixed list of gateway relay addresses (PARLEY_GATEWAYS): each is its own
 * gatewayId. Never changes, so onChange listeners are never called; the relay
 * client finds out by itself which of them answer.
 */
export class StaticGatewayDirectory implements GatewayDirectory {
  private readonly gateways: readonly GatewayInstance[];

  constructor(relayAddresses: readonly string[]) {
    const seen = new Set<string>();
    for (const address of relayAddresses) {
      if (!isRelayAddress(address)) throw new Error(`static gateway address ${JSON.stringify(address)} is not host:port`);
      if (seen.has(address)) throw new Error(`duplicate static gateway ${address}`);
      seen.add(address);
    }
    this.gateways = normalizeGateways(relayAddresses.map((address) => ({ gatewayId: address, relayAddress: address })));
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  liveGateways(): readonly GatewayInstance[] {
    return this.gateways;
  }

  onChange(_listener: (gateways: readonly GatewayInstance[]) => void): () => void {
    return () => undefined;
  }
}
