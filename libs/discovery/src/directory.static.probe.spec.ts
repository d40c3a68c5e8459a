import { findFreePort } from '@parley/testing';
import { eventually, ids } from './discovery.contract';
import { StaticNodeDirectory, type StaticNodeDirectoryOptions } from './directory.static';
import { startHealthz, type HealthzFixture } from './healthz.fixture';

/** StaticNodeDirectory probing real HTTP servers' GET /readyz. */
describe('StaticNodeDirectory probing /readyz', () => {
  const fixtures: HealthzFixture[] = [];
  const directories: StaticNodeDirectory[] = [];
  const fast: StaticNodeDirectoryOptions = { probeIntervalMs: 50, probeTimeoutMs: 1_000 };

  const server = async (status = 200): Promise<HealthzFixture> => {
    const fixture = await startHealthz();
    fixture.status = status;
    fixtures.push(fixture);
    return fixture;
  };
  const node = (nodeId: string, fixture: HealthzFixture) => ({ nodeId, url: fixture.registration(nodeId).url });
  const directory = (nodes: Array<{ nodeId: string; url: string }>, options: StaticNodeDirectoryOptions = {}) => {
    const d = new StaticNodeDirectory(nodes, { ...fast, ...options });
    directories.push(d);
    return d;
  };

  /** A directory of its own on its own server, whose probes pace the tests that look for something not happening. */
  const controlRounds = async (rounds: number) => {
    const control = await server(200);
    await directory([node('im-control', control)]).start();
    await eventually(() => (control.readyzHits >= rounds ? true : undefined));
  };

  afterEach(async () => {
    await Promise.all(directories.splice(0).map((d) => d.stop()));
    await Promise.all(fixtures.splice(0).map((f) => f.close()));
  });

  it('start() completes a first round: lists only nodes answering 200, not 503, a closed port or a hang', async () => {
    const ready = await server(200);
    const draining = await server(503);
    const hanging = await server(200);
    // Longer than the test's own timeout: start() returning at all proves the probe gave up on it.
    hanging.delayMs = 120_000;
    const closedPort = await findFreePort();
    const warn = jest.fn();
    const d = directory(
      [
        node('im-ready', ready),
        node('im-draining', draining),
        node('im-hanging', hanging),
        { nodeId: 'im-gone', url: `http://127.0.0.1:${closedPort}` },
      ],
      { logger: { warn, info: jest.fn() } },
    );
    await d.start();
    expect(d.healthyNodes()).toEqual([node('im-ready', ready)]);
    expect(ready.readyzHits).toBeGreaterThan(0);
    expect(draining.readyzHits).toBeGreaterThan(0);
    const warned = warn.mock.calls.map(([fields]) => (fields as { nodeId: string }).nodeId).sort();
    expect(warned).toEqual(['im-draining', 'im-gone', 'im-hanging']);
  });

  it('adds a node once it answers 200 and drops it when it stops, telling listeners each time', async () => {
    const a = await server(200);
    const b = await server(503);
    const info = jest.fn();
    const warn = jest.fn();
    const d = directory([node('im-a', a), node('im-b', b)], { logger: { info, warn } });
    await d.start();
    expect(ids(d.healthyNodes())).toEqual(['im-a']);
    const seen: string[][] = [];
    d.onChange((nodes) => seen.push(ids(nodes)));

    b.status = 200; // came up
    await eventually(() => (d.healthyNodes().length === 2 ? true : undefined));
    a.status = 503; // draining
    await eventually(() => (ids(d.healthyNodes()).join() === 'im-b' ? true : undefined));
    await a.close(); // gone entirely
    a.status = 200;
    await eventually(() => (b.readyzHits > 10 ? true : undefined)); // many rounds later
    expect(ids(d.healthyNodes())).toEqual(['im-b']);
    expect(seen).toEqual([['im-a', 'im-b'], ['im-b']]);
    // One log line per change of state, not one per round.
    expect(info.mock.calls.map(([f]) => (f as { nodeId: string }).nodeId)).toEqual(['im-b']);
    expect(warn.mock.calls.map(([f]) => (f as { nodeId: string }).nodeId)).toEqual(['im-b', 'im-a']);
  });

  it('takes back a node that hung beyond the timeout once it answers in time', async () => {
    const slow = await server(200);
    slow.delayMs = 5_000;
    const d = directory([node('im-slow', slow)], { probeTimeoutMs: 500 });
    await d.start();
    expect(d.healthyNodes()).toEqual([]);
    slow.delayMs = 0;
    await eventually(() => (d.healthyNodes().length === 1 ? true : undefined));
  });

  it('probes `${url}/readyz` with a single slash when the url ends in one', async () => {
    const a = await server(200);
    const d = directory([{ nodeId: 'im-a', url: `${node('im-a', a).url}/` }]);
    await d.start();
    expect(ids(d.healthyNodes())).toEqual(['im-a']);
  });

  it('stops probing on stop() and keeps the last list; start() again resumes', async () => {
    const a = await server(200);
    const d = directory([node('im-a', a)]);
    await d.start();
    await d.stop();
    const hits = a.readyzHits;
    await controlRounds(6); // six intervals
    expect(a.readyzHits).toBeLessThanOrEqual(hits + 1); // a probe already on the wire at stop() may still arrive
    expect(ids(d.healthyNodes())).toEqual(['im-a']);

    a.status = 503;
    await d.start();
    expect(d.healthyNodes()).toEqual([]);
  });

  it('with probe: false never asks the nodes', async () => {
    const a = await server(503);
    const d = directory([node('im-a', a)], { probe: false });
    await d.start();
    await controlRounds(4);
    expect(ids(d.healthyNodes())).toEqual(['im-a']);
    expect(a.readyzHits).toBe(0);
  });
});
