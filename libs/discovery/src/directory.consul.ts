import { sameNodes, type NodeDirectory, type NodeInstance } from '@parley/domain';
import { ConsulServiceWatcher, type ConsulWatchOptions, type InstanceMapping } from './consul-service-watcher';
import { normalizeNodes } from './instance-list';

export { nextIndex } from './consul-service-watcher';

/** serviceName defaults to 'parley-im'. */
export type ConsulNodeDirectoryOptions = ConsulWatchOptions;

/** An IM node's entry: Meta.url is where clients connect; Meta.nodeId (else the service ID) names it. */
const nodeMapping: InstanceMapping<NodeInstance> = {
  serviceName: 'parley-im',
  words: { instances: 'IM nodes', short: 'nodes', watcher: 'gateway' },
  fromEntry: ({ ID, Meta }) => (Meta.url ? { nodeId: Meta.nodeId || ID, url: Meta.url } : { skip: 'no Meta.url' }),
  normalize: normalizeNodes,
  same: sameNodes,
};

/**
 * Gateway side of discovery on Consul: the passing instances of the IM-node
 * service, watched with blocking queries (see ConsulServiceWatcher).
 */
export class ConsulNodeDirectory implements NodeDirectory {
  private readonly watcher: ConsulServiceWatcher<NodeInstance>;

  constructor(options: ConsulNodeDirectoryOptions = {}) {
    this.watcher = new ConsulServiceWatcher(options, nodeMapping);
  }

  start(): Promise<void> {
    return this.watcher.start();
  }

  stop(): Promise<void> {
    return this.watcher.stop();
  }

  healthyNodes(): readonly NodeInstance[] {
    return this.watcher.current();
  }

  onChange(listener: (nodes: readonly NodeInstance[]) => void): () => void {
    return this.watcher.onChange(listener);
  }
}
