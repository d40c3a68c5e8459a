import type { DiscoveryEngine } from './discovery.contract';
import { ConsulNodeDirectory, type ConsulNodeDirectoryOptions } from './directory.consul';
import { startHealthz, type HealthzFixture } from './healthz.fixture';
import { ConsulNodeRegistrar, type ConsulNodeRegistrarOptions } from './registrar.consul';

/** The Consul engines on a simulator, for the discovery contract; teardown stops the simulator too. */
export function consulEngine(
  sim: { stop(): Promise<void> },
  registrarOptions: ConsulNodeRegistrarOptions,
  directoryOptions: ConsulNodeDirectoryOptions,
): DiscoveryEngine {
  const fixtures: HealthzFixture[] = [];
  const registrar = new ConsulNodeRegistrar(registrarOptions);
  return {
    registrar,
    directory: new ConsulNodeDirectory(directoryOptions),
    newNode: async (nodeId) => {
      const healthz = await startHealthz();
      fixtures.push(healthz);
      return healthz.registration(nodeId);
    },
    teardown: async () => {
      await registrar.close();
      await Promise.all(fixtures.map((f) => f.close()));
      await sim.stop();
    },
  };
}
