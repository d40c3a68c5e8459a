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
 * service (all registered ones when none passes: panic mode), watched with
 * blocking queries (see ConsulServiceWatcher).
 */
export class ConsulNodeDirectory extends ConsulServiceWatcher<NodeInstance> implements NodeDirectory {
  constructor(options: ConsulNodeDirectoryOptions = {}) {
    super(options, nodeMapping);
  }

  healthyNodes(): readonly NodeInstance[] {
    return this.current();
  }
}
