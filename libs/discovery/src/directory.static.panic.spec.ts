import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { findFreePort } from '@parley/testing';
import { eventually, ids } from './discovery.contract';
import { StaticNodeDirectory, type StaticNodeDirectoryOptions } from './directory.static';
import { startHealthz, type HealthzFixture } from './healthz.fixture';
import { probeReadiness, readyzUrl } from './ready-probe';

/** The static node directory's panic mode: no node ready, some unready only for a shared dependency. */
describe('StaticNodeDirectory in panic mode', () => {
  const fixtures: HealthzFixture[] = [];
  const directories: StaticNodeDirectory[] = [];
  const warn = jest.fn();
  const info = jest.fn();

  const server = async (status: number, failed?: string[]): Promise<HealthzFixture> => {
    const fixture = await startHealthz();
    fixture.status = status;
    fixture.failed = failed;
    fixtures.push(fixture);
    return fixture;
  };
  const node = (nodeId: string, fixture: HealthzFixture) => ({ nodeId, url: fixture.registration(nodeId).url });
  const directory = (nodes: Array<{ nodeId: string; url: string }>, options: StaticNodeDirectoryOptions = {}) => {
    const d = new StaticNodeDirectory(nodes, { probeIntervalMs: 50, probeTimeoutMs: 1_000, logger: { warn, info }, ...options });
    directories.push(d);
    return d;
  };
  const panicWarnings = () => warn.mock.calls.filter(([, msg]) => String(msg).startsWith('panic mode:'));
  const panicOver = () => info.mock.calls.filter(([, msg]) => String(msg).startsWith('panic mode over'));

  beforeEach(() => {
    warn.mockReset();
    info.mockReset();
  });

  afterEach(async () => {
    await Promise.all(directories.splice(0).map((d) => d.stop()));
    await Promise.all(fixtures.splice(0).map((f) => f.close()));
  });

  it('lists the nodes unready only for redis, database or relay when none is ready; never a draining, silent or foreign one', async () => {
    const redisDown = await server(503, ['redis']);
    const bothDown = await server(503, ['database', 'redis']);
    const noRelay = await server(503, ['relay']);
    const draining = await server(503, ['draining']);
    const drainingToo = await server(503, ['redis', 'draining']);
    const plain503 = await server(503); // not Parley's body
    const closedPort = await findFreePort();
    const d = directory([
      node('im-redis', redisDown),
      node('im-both', bothDown),
      node('im-relay', noRelay),
      node('im-draining', draining),
      node('im-draining-too', drainingToo),
      node('im-plain', plain503),
      { nodeId: 'im-gone', url: `http://127.0.0.1:${closedPort}` },
    ]);
    await d.start();
    expect(ids(d.healthyNodes())).toEqual(['im-both', 'im-redis', 'im-relay']);
    expect(d.inPanicMode()).toBe(true);
    await eventually(() => (redisDown.readyzHits >= 4 ? true : undefined)); // several rounds, one warning
    expect(panicWarnings()).toEqual([[{ nodes: ['im-both', 'im-redis', 'im-relay'] }, expect.stringContaining('no static node is ready')]]);
  });

  it('goes back to the ready nodes only as soon as one is ready, says so once, and tells listeners', async () => {
    const a = await server(503, ['redis']);
    const b = await server(503, ['redis']);
    const d = directory([node('im-a', a), node('im-b', b)]);
    await d.start();
    expect(ids(d.healthyNodes())).toEqual(['im-a', 'im-b']);
    const seen: string[][] = [];
    d.onChange((nodes) => seen.push(ids(nodes)));

    b.status = 200;
    await eventually(() => (ids(d.healthyNodes()).join() === 'im-b' ? true : undefined));
    expect(d.inPanicMode()).toBe(false);
    a.status = 200;
    await eventually(() => (d.healthyNodes().length === 2 ? true : undefined));
    await eventually(() => (b.readyzHits >= 8 ? true : undefined));
    expect(seen).toEqual([['im-b'], ['im-a', 'im-b']]);
    expect(panicWarnings()).toHaveLength(1);
    expect(panicOver()).toHaveLength(1);
  });

  it('does not panic while one node is ready', async () => {
    const ready = await server(200);
    const redisDown = await server(503, ['redis']);
    const d = directory([node('im-ready', ready), node('im-redis', redisDown)]);
    await d.start();
    expect(ids(d.healthyNodes())).toEqual(['im-ready']);
    expect(d.inPanicMode()).toBe(false);
    expect(panicWarnings()).toEqual([]);
  });

  it('with panicMode: false lists nothing when none is ready', async () => {
    const a = await server(503, ['redis']);
    const d = directory([node('im-a', a)], { panicMode: false });
    await d.start();
    expect(d.healthyNodes()).toEqual([]);
    expect(d.inPanicMode()).toBe(false);
  });
});

describe('probeReadiness', () => {
  const signal = new AbortController().signal;
  let server: http.Server | undefined;
  /** A /readyz that answers `status` with `body` as `type`. */
  const answering = async (status: number, body: string, type = 'application/problem+json'): Promise<string> => {
    server = http.createServer((_req, res) => {
      res.writeHead(status, { 'Content-Type': type });
      res.end(body);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return readyzUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  };
  const problem = (failed: unknown) => JSON.stringify({ type: 'about:blank', title: 'Unavailable', status: 503, code: 'UNAVAILABLE', detail: 'x', failed });

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('is ready on 200', async () => expect(probeReadiness(await answering(200, '{"status":"ready"}'), 1_000, signal)).resolves.toBe('ready'));
  it('is unready on 503 naming redis', async () => expect(probeReadiness(await answering(503, problem(['redis'])), 1_000, signal)).resolves.toBe('unready'));
  it('is down on 503 naming draining', async () => expect(probeReadiness(await answering(503, problem(['draining'])), 1_000, signal)).resolves.toBe('down'));
  it('is down on 503 naming something unknown', async () =>
    expect(probeReadiness(await answering(503, problem(['redis', 'disk'])), 1_000, signal)).resolves.toBe('down'));
  it('is down on 503 with an empty failed list', async () => expect(probeReadiness(await answering(503, problem([])), 1_000, signal)).resolves.toBe('down'));
  it('is down on 500 even with a Parley body', async () => expect(probeReadiness(await answering(500, problem(['redis'])), 1_000, signal)).resolves.toBe('down'));
  it('is down on 503 with a body that is not JSON', async () => expect(probeReadiness(await answering(503, 'redis', 'text/plain'), 1_000, signal)).resolves.toBe('down'));
  it('is down on 503 with a huge body (not read past 8 KiB)', async () => {
    const huge = JSON.stringify({ code: 'UNAVAILABLE', failed: ['redis'], pad: 'x'.repeat(64 * 1024) });
    await expect(probeReadiness(await answering(503, huge), 1_000, signal)).resolves.toBe('down');
  });
});
