import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express, { Router, type ErrorRequestHandler } from 'express';
import { STATIC_ROUTE, UNMATCHED_ROUTE, httpMetrics, labelRoute, methodLabelOf } from './http-metrics';
import { ParleyMetrics } from './parley-metrics';

interface Series {
  method: string;
  route: string;
  status: string;
  count: number;
}

/** The _count series of the HTTP histogram: one per label set seen. */
async function seriesOf(metrics: ParleyMetrics): Promise<Series[]> {
  const { values } = await metrics.httpDuration.get();
  return values
    .filter((v) => v.metricName === 'parley_http_request_duration_seconds_count')
    .map((v) => ({ method: String(v.labels.method), route: String(v.labels.route), status: String(v.labels.status), count: v.value }));
}

describe('HTTP request metrics', () => {
  let metrics: ParleyMetrics;
  let server: http.Server;
  let base: string;
  let staticDir: string;

  beforeAll(async () => {
    staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-http-metrics-'));
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>shell</title>');
    fs.writeFileSync(path.join(staticDir, 'app.js'), 'void 0;');
  });
  afterAll(() => fs.rmSync(staticDir, { recursive: true, force: true }));

  beforeEach(async () => {
    metrics = new ParleyMetrics({ defaultMetrics: false });
    const app = express();
    app.use(httpMetrics(metrics, 'gw-1'));
    const users = Router();
    users.get('/:id', (req, res) => {
      if (req.params.id === 'missing') res.status(404).json({ code: 'NOT_FOUND' });
      else res.json({ id: req.params.id });
    });
    users.post('/:id/boom', () => {
      throw new Error('handler failed');
    });
    users.get('/', (_req, res) => res.json([]));
    app.use('/api/users', users);
    app.get('/livez', (_req, res) => res.json({ status: 'ok' }));
    app.use(express.static(staticDir, { setHeaders: (res) => labelRoute(res.req, STATIC_ROUTE) }));
    app.get(/^\/app\/.*/, (req, res) => {
      labelRoute(req, STATIC_ROUTE);
      res.sendFile(path.join(staticDir, 'index.html'));
    });
    app.use((_req, res) => res.status(404).json({ code: 'NOT_FOUND' }));
    const onError: ErrorRequestHandler = (_err, _req, res, _next) => {
      res.status(500).json({ code: 'INTERNAL' });
    };
    app.use(onError);
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('labels a routed request with its pattern, mount path included, never the path it was called with', async () => {
    await fetch(`${base}/api/users/u-1`);
    await fetch(`${base}/api/users/u-2`);
    await fetch(`${base}/api/users/missing`);
    await fetch(`${base}/api/users`);
    await fetch(`${base}/livez`);
    expect(await seriesOf(metrics)).toEqual(
      expect.arrayContaining([
        { method: 'GET', route: '/api/users/:id', status: '200', count: 2 },
        { method: 'GET', route: '/api/users/:id', status: '404', count: 1 },
        { method: 'GET', route: '/api/users', status: '200', count: 1 },
        { method: 'GET', route: '/livez', status: '200', count: 1 },
      ]),
    );
    expect((await seriesOf(metrics)).some((s) => s.route.includes('u-1'))).toBe(false);
  });

  it('keeps the pattern when the app-level error handler answers (after the router restored its base URL)', async () => {
    const res = await fetch(`${base}/api/users/u-9/boom`, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(await seriesOf(metrics)).toEqual([{ method: 'POST', route: '/api/users/:id/boom', status: '500', count: 1 }]);
  });

  it('labels files and the app shell `static`, and what no route answered `unmatched`', async () => {
    expect((await fetch(`${base}/app.js`)).status).toBe(200);
    expect((await fetch(`${base}/index.html`)).status).toBe(200);
    expect((await fetch(`${base}/app/rooms/42`)).status).toBe(200);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    expect((await fetch(`${base}/api/users/u-1`, { method: 'DELETE' })).status).toBe(404);
    expect(await seriesOf(metrics)).toEqual(
      expect.arrayContaining([
        { method: 'GET', route: STATIC_ROUTE, status: '200', count: 3 },
        { method: 'GET', route: UNMATCHED_ROUTE, status: '404', count: 1 },
        { method: 'DELETE', route: UNMATCHED_ROUTE, status: '404', count: 1 },
      ]),
    );
  });

  it('keeps the label set bounded under a flood of random paths and methods', async () => {
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'MKCOL'];
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        const junk = `${Math.random().toString(36).slice(2)}-${i}`;
        const target = i % 3 === 0 ? `/api/users/${junk}` : i % 3 === 1 ? `/${junk}?q=${i}` : `/app/${junk}`;
        return fetch(`${base}${target}`, { method: methods[i % methods.length] }).then((res) => res.arrayBuffer());
      }),
    );
    const series = await seriesOf(metrics);
    expect(series.reduce((sum, s) => sum + s.count, 0)).toBe(300);
    expect(new Set(series.map((s) => s.route))).toEqual(new Set(['/api/users/:id', STATIC_ROUTE, UNMATCHED_ROUTE]));
    expect(new Set(series.map((s) => s.method))).toEqual(new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'other']));
    expect(series.length).toBeLessThanOrEqual(7 * 3 * 2);
  });

  it('names methods outside the usual seven `other`', () => {
    expect(['GET', 'HEAD', 'DELETE'].map(methodLabelOf)).toEqual(['GET', 'HEAD', 'DELETE']);
    expect(['PROPFIND', 'get', undefined, 'M-SEARCH'].map(methodLabelOf)).toEqual(['other', 'other', 'other', 'other']);
  });
});
