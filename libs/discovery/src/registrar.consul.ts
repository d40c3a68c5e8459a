import type { NodeRegistrar, NodeRegistration } from '@parley/domain';
import { ConsulServiceRegistrar, isHttpUrl, type ConsulServiceRegistrarOptions } from './consul-service-registrar';

/** serviceName defaults to 'parley-im'. */
export type ConsulNodeRegistrarOptions = ConsulServiceRegistrarOptions;

/**
 * IM-node side of discovery on Consul: registers the node with the local agent
 * (service ID = nodeId, Meta { url, nodeId }) and an HTTP check on its
 * healthUrl, and keeps it registered (see ConsulServiceRegistrar).
 */
export class ConsulNodeRegistrar extends ConsulServiceRegistrar implements NodeRegistrar {
  constructor(options: ConsulNodeRegistrarOptions = {}) {
    super(options, 'parley-im', 'node');
  }

  async register(node: NodeRegistration): Promise<void> {
    const { nodeId, address, port, url, healthUrl } = node;
    const problems = isHttpUrl(url) ? [] : ['url is not an http(s) URL'];
    await this.registerService({ id: nodeId, address, port, healthUrl, meta: { url, nodeId } }, problems);
  }
}
