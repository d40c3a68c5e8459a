import type { NodeRegistration } from '@parley/domain';
import { describeDiscoveryContract, ids } from './discovery.contract';
import { StaticNodeDirectory } from './directory.static';
import { MemoryNodeRegistry } from './registry.memory';

const registration = (nodeId: string): NodeRegistration => ({
  nodeId,
  url: `http://127.0.0.1:9000/${nodeId}`,
  address: '127.0.0.1',
  port: 9000,
  healthUrl: `http://127.0.0.1:9000/${nodeId}/healthz`,
});

describeDiscoveryContract('MemoryNodeRegistry', async () => {
  const registry = new MemoryNodeRegistry();
  return { registrar: registry, directory: registry, newNode: async (id) => registration(id), teardown: async () => undefined };
});

describe('MemoryNodeRegistry', () => {
  it('removes an unhealthy node from healthyNodes but keeps its registration', async () => {
    const registry = new MemoryNodeRegistry();
    const changes: string[][] = [];
    registry.onChange((nodes) => changes.push(ids(nodes)));
    await registry.register(registration('a'));
    await registry.register(registration('b'));

    registry.setHealthy('a', false);
    expect(ids(registry.healthyNodes())).toEqual(['b']);
    expect(registry.registrations().map((r) => r.nodeId).sort()).toEqual(['a', 'b']);

    registry.setHealthy('a', true);
    expect(ids(registry.healthyNodes())).toEqual(['a', 'b']);
    expect(changes).toEqual([['a'], ['a', 'b'], ['b'], ['a', 'b']]);
  });

  it('can require a node to be marked healthy before it is listed', async () => {
    const registry = new MemoryNodeRegistry({ healthyOnRegister: false });
    await registry.register(registration('a'));
    expect(registry.healthyNodes()).toEqual([]);
    registry.setHealthy('a', true);
    expect(ids(registry.healthyNodes())).toEqual(['a']);
  });

  it('does not call listeners when a re-registration changes nothing they see', async () => {
    const registry = new MemoryNodeRegistry();
    await registry.register(registration('a'));
    const listener = jest.fn();
    registry.onChange(listener);
    await registry.register({ ...registration('a'), port: 9001 });
    expect(listener).not.toHaveBeenCalled();
    await registry.register({ ...registration('a'), url: 'http://127.0.0.1:9999' });
    expect(listener).toHaveBeenCalledWith([{ nodeId: 'a', url: 'http://127.0.0.1:9999' }]);
  });

  it('keeps notifying other listeners when one throws', async () => {
    const warn = jest.fn();
    const registry = new MemoryNodeRegistry({ logger: { warn, info: jest.fn() } });
    const good = jest.fn();
    registry.onChange(() => {
      throw new Error('boom');
    });
    registry.onChange(good);
    await registry.register(registration('a'));
    expect(good).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith({ err: 'boom' }, expect.any(String));
  });

  it('hands out frozen snapshots', async () => {
    const registry = new MemoryNodeRegistry();
    await registry.register(registration('a'));
    const snapshot = registry.healthyNodes();
    await registry.register(registration('b'));
    expect(ids(snapshot)).toEqual(['a']);
    expect(Object.isFrozen(snapshot)).toBe(true);
  });
});

describe('StaticNodeDirectory', () => {
  it('with probe: false lists all its fixed nodes, sorted by nodeId, without asking them', async () => {
    const directory = new StaticNodeDirectory(
      [
        { nodeId: 'im-2', url: 'http://127.0.0.1:3002' },
        { nodeId: 'im-1', url: 'http://127.0.0.1:3001' },
      ],
      { probe: false },
    );
    await directory.start();
    expect(directory.healthyNodes()).toEqual([
      { nodeId: 'im-1', url: 'http://127.0.0.1:3001' },
      { nodeId: 'im-2', url: 'http://127.0.0.1:3002' },
    ]);
    const unsubscribe = directory.onChange(() => undefined);
    expect(typeof unsubscribe).toBe('function');
    await directory.stop();
    expect(directory.healthyNodes()).toHaveLength(2);
  });

  it('rejects duplicate or incomplete nodes', () => {
    expect(
      () =>
        new StaticNodeDirectory([
          { nodeId: 'im-1', url: 'http://a' },
          { nodeId: 'im-1', url: 'http://b' },
        ]),
    ).toThrow(/duplicate/);
    expect(() => new StaticNodeDirectory([{ nodeId: '', url: 'http://a' }])).toThrow();
  });
});
