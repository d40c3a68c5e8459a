import type { NodeDirectory, NodeInstance, NodeRegistrar, NodeRegistration } from '@parley/domain';

/** One discovery engine (registrar + directory pair) under test. */
export interface DiscoveryEngine {
  registrar: NodeRegistrar;
  directory: NodeDirectory;
  /** A registration whose health endpoint answers 200. */
  newNode(nodeId: string): Promise<NodeRegistration>;
  teardown(): Promise<void>;
}

/** Polls until probe() returns a value, for engines that converge asynchronously. */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const ids = (nodes: readonly NodeInstance[]): string[] => nodes.map((n) => n.nodeId);

/**
 * The behaviour every NodeRegistrar + NodeDirectory pair promises, run
 * against each engine (memory, Consul via the simulator).
 */
export function describeDiscoveryContract(name: string, createEngine: () => Promise<DiscoveryEngine>): void {
  describe(`discovery contract: ${name}`, () => {
    let engine: DiscoveryEngine;

    beforeEach(async () => {
      engine = await createEngine();
      await engine.directory.start();
    });

    afterEach(async () => {
      await engine.directory.stop();
      await engine.teardown();
    });

    it('lists a registered healthy node with its url, and tells listeners', async () => {
      const seen: string[][] = [];
      engine.directory.onChange((nodes) => seen.push(ids(nodes)));
      const node = await engine.newNode('node-a');
      await engine.registrar.register(node);

      const nodes = await eventually(() => (engine.directory.healthyNodes().length ? engine.directory.healthyNodes() : undefined));
      expect(nodes).toEqual([{ nodeId: 'node-a', url: node.url }]);
      expect(seen.at(-1)).toEqual(['node-a']);
    });

    it('lists several nodes sorted by nodeId', async () => {
      await engine.registrar.register(await engine.newNode('node-b'));
      await engine.registrar.register(await engine.newNode('node-a'));
      const nodes = await eventually(() => (engine.directory.healthyNodes().length === 2 ? engine.directory.healthyNodes() : undefined));
      expect(ids(nodes)).toEqual(['node-a', 'node-b']);
    });

    it('drops a deregistered node and tells listeners', async () => {
      await engine.registrar.register(await engine.newNode('node-a'));
      await engine.registrar.register(await engine.newNode('node-b'));
      await eventually(() => (engine.directory.healthyNodes().length === 2 ? true : undefined));
      const seen: string[][] = [];
      engine.directory.onChange((nodes) => seen.push(ids(nodes)));

      await engine.registrar.deregister('node-a');
      await eventually(() => (engine.directory.healthyNodes().length === 1 ? true : undefined));
      expect(ids(engine.directory.healthyNodes())).toEqual(['node-b']);
      expect(seen).toEqual([['node-b']]);
    });

    it('stops calling a listener once it unsubscribes', async () => {
      const calls: string[][] = [];
      const unsubscribe = engine.directory.onChange((nodes) => calls.push(ids(nodes)));
      unsubscribe();
      await engine.registrar.register(await engine.newNode('node-a'));
      await eventually(() => (engine.directory.healthyNodes().length ? true : undefined));
      expect(calls).toEqual([]);
    });

    it('treats deregistering an unknown node as done', async () => {
      await expect(engine.registrar.deregister('never-registered')).resolves.toBeUndefined();
    });
  });
}
