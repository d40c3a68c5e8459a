export { ConsulNodeRegistrar, type ConsulNodeRegistrarOptions } from './registrar.consul';
export { ConsulNodeDirectory, type ConsulNodeDirectoryOptions } from './directory.consul';
export type { ConsulConnectionOptions } from './consul-connection';
export { StaticNodeDirectory } from './directory.static';
export { MemoryNodeRegistry, type MemoryNodeRegistryOptions } from './registry.memory';
export type { DiscoveryLog } from './logger';
