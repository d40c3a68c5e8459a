import { sameNodes, type NodeDirectory, type NodeInstance, type NodeRegistrar, type NodeRegistration } from '@parley/domain';
import { silentLogger } from '@parley/util';
import { errorMessage, type DiscoveryLog } from './logger';
import { normalizeNodes, notifyListeners } from './instance-list';

export interface MemoryNodeRegistryOptions {
  /**
   * Whether a node is healthy as soon as it registers (Consul would wait for
   * its first passing check; here tests flip health with setHealthy).
   * @default true
   */
  healthyOnRegister?: boolean;
  /** @default silent */
  logger?: DiscoveryLog;
}

/**
 * An in-process registry that is both sides of discovery: IM nodes register
 * into it and gateways read it, with no network in between. For embedded mode
 * and tests. Listeners are called synchronously when the healthy set changes.
 */
export class MemoryNodeRegistry implements NodeRegistrar, NodeDirectory {
  private readonly registered = new Map<string, { node: NodeRegistration; healthy: boolean }>();
  private readonly listeners = new Set<(nodes: readonly NodeInstance[]) => void>();
  private readonly healthyOnRegister: boolean;
  private readonly logger: DiscoveryLog;
  private nodes: readonly NodeInstance[] = Object.freeze([]);

  constructor(options: MemoryNodeRegistryOptions = {}) {
    this.healthyOnRegister = options.healthyOnRegister ?? true;
    this.logger = options.logger ?? silentLogger;
  }

  async register(node: NodeRegistration): Promise<void> {
    const previous = this.registered.get(node.nodeId);
    this.registered.set(node.nodeId, { node: { ...node }, healthy: previous?.healthy ?? this.healthyOnRegister });
    this.refresh();
  }

  async deregister(nodeId: string): Promise<void> {
    this.registered.delete(nodeId);
    this.refresh();
  }

  /** Plays the health check: an unhealthy node stays registered but leaves healthyNodes(). */
  setHealthy(nodeId: string, healthy: boolean): void {
    const entry = this.registered.get(nodeId);
    if (!entry) throw new Error(`unknown node ${nodeId}`);
    entry.healthy = healthy;
    this.refresh();
  }

  /** Every registration, healthy or not. */
  registrations(): NodeRegistration[] {
    return [...this.registered.values()].map((e) => ({ ...e.node }));
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  healthyNodes(): readonly NodeInstance[] {
    return this.nodes;
  }

  onChange(listener: (nodes: readonly NodeInstance[]) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private refresh(): void {
    const next = normalizeNodes([...this.registered.values()].filter((e) => e.healthy).map((e) => e.node));
    if (sameNodes(next, this.nodes)) return;
    this.nodes = next;
    notifyListeners(this.listeners, next, (err) => this.logger.warn({ err: errorMessage(err) }, 'node directory listener threw'));
  }
}
