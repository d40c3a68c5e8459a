import type { NodeRegistrar, NodeRegistration } from '@parley/domain';
import { ConsulServiceRegistrar, isHttpUrl, type ConsulServiceRegistrarOptions } from './consul-service-registrar';

/** serviceName defaults to 'parley-im'. */
export type ConsulNodeRegistrarOptions = ConsulServiceRegistrarOptions;

/**
 * IM-node side of discovery on Consul: registers the node with the local agent
 * (service ID = nodeId, Meta { url, nodeId }) and an HTTP check on its
 * healthUrl, and keeps it registered (see ConsulServiceRegistrar).
 */
export class ConsulNodeRegistrar implements NodeRegistrar {
  private readonly registrar: ConsulServiceRegistrar;

  constructor(options: ConsulNodeRegistrarOptions = {}) {
    this.registrar = new ConsulServiceRegistrar(options, 'parley-im', 'node');
  }

  async register(node: NodeRegistration): Promise<void> {
    const { nodeId, address, port, url, healthUrl } = node;
    const problems = isHttpUrl(url) ? [] : ['url is not an http(s) URL'];
    await this.registrar.register({ id: nodeId, address, port, healthUrl, meta: { url, nodeId } }, problems);
  }

  deregister(nodeId: string): Promise<void> {
    return this.registrar.deregister(nodeId);
  }

  /** Stops anti-entropy and pending retries, and frees the HTTP agent. */
  close(): void {
    this.registrar.close();
  }
}
