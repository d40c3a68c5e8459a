import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { findFreePort, startDnsServer, type DnsServer } from '@parley/testing';
import { composeEntryValues, ENTRY_TEMPLATE, k8sEntryValues, nginxTest, renderEntryTemplate, startNginx, writeNginxConfig, type RunningNginx } from './nginx-entry';
import { describeWithTool, findTool, REPO_ROOT } from './tools';

/**
 * The one public entry (docker/nginx/parley.conf.template) run by the real
 * nginx on loopback: node and gateway names come from a DNS server started
 * here, each node is a Socket.IO server on the same port of its own loopback
 * address, so only the name in the path can pick the right one.
 */
describeWithTool('nginx', true)('the public entry (nginx)', () => {
  const nginx = findTool('nginx') as string;
  const template = fs.readFileSync(ENTRY_TEMPLATE, 'utf8');

  it('is the same file in compose and in the Kubernetes base', () => {
    expect(fs.readFileSync(path.join(REPO_ROOT, 'deploy/k8s/entry/parley.conf.template'), 'utf8')).toBe(template);
  });

  it.each([
    ['compose', composeEntryValues],
    ['Kubernetes', k8sEntryValues],
  ])('renders with the %s values to a configuration nginx -t accepts, with every placeholder filled', (_where, values) => {
    // nginx -t looks up a resolver given by name (Kubernetes' kube-dns) as it parses: only an address parses here.
    const rendered = renderEntryTemplate(template, { ...values(), ENTRY_RESOLVER: '127.0.0.11' });
    expect(rendered).not.toMatch(/\$\{/);
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-nginx-t-'));
    try {
      // The resolver addresses do not exist here; nginx -t only parses them.
      const output = nginxTest(nginx, prefix, writeNginxConfig(prefix, rendered));
      expect(output).toBe('');
    } finally {
      fs.rmSync(prefix, { recursive: true, force: true });
    }
  });

  // Node ids of the compose form (12-hex container hostnames): the loopback entry runs compose's pattern and suffix.
  const NODE_A = '0a1b2c3d4e5f';
  const NODE_B = '1b2c3d4e5f60';
  const NODE_LATE = '2c3d4e5f6071';
  const NODE_GONE = '3d4e5f607182';

  describe('on loopback, with compose\'s node pattern', () => {
    let prefix: string;
    let dns: DnsServer;
    let entry: RunningNginx;
    let nodePort: number;
    const nodes: Array<{ name: string; address: string; server: http.Server; io: Server; seen: http.IncomingHttpHeaders[] }> = [];
    let gatewayServer: http.Server;
    const gatewayRequests: Array<{ url: string | undefined; headers: http.IncomingHttpHeaders; bodyBytes?: number }> = [];
    const clients: ClientSocket[] = [];

    beforeAll(async () => {
      prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-entry-'));
      dns = await startDnsServer({ host: '127.0.0.1' });
      nodePort = await listenNodes([
        { name: NODE_A, address: '127.0.0.2' },
        { name: NODE_B, address: '127.0.0.3' },
        { name: NODE_LATE, address: '127.0.0.5' },
      ]);
      dns.set(NODE_A, '127.0.0.2');
      dns.set(NODE_B, '127.0.0.3');
      // Gateways: one stand-in; its name does not resolve yet when nginx starts.
      gatewayServer = http.createServer((req, res) => {
        const seen: (typeof gatewayRequests)[number] = { url: req.url, headers: req.headers };
        gatewayRequests.push(seen);
        // Answers once the whole body arrived, counting it (the upload route's stand-in).
        let bodyBytes = 0;
        req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
        req.on('end', () => {
          seen.bodyBytes = bodyBytes;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ gateway: true }));
        });
      });
      const gatewayPort = await listen(gatewayServer, '127.0.0.4', 0);
      const entryPort = await findFreePort();
      const rendered = renderEntryTemplate(template, {
        ...composeEntryValues(),
        ENTRY_RESOLVER: `127.0.0.1:${dns.port}`,
        ENTRY_GATEWAY: `gateway:${gatewayPort}`,
        ENTRY_NODE_PORT: String(nodePort),
      });
      expect(rendered.match(/listen 80;/g)).toHaveLength(1);
      const conf = writeNginxConfig(prefix, rendered.replace('listen 80;', `listen 127.0.0.1:${entryPort};`));
      entry = await startNginx(nginx, prefix, conf, entryPort);
    });

    afterAll(async () => {
      for (const client of clients) client.disconnect();
      // A polling client says goodbye in one more request through nginx: let the nodes see every
      // client leave before nginx goes, or that request fails after the test environment is gone.
      const deadline = Date.now() + 5_000;
      while (nodes.some((node) => node.io.of('/').sockets.size > 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await entry?.stop();
      for (const node of nodes) {
        await node.io.close();
      }
      await new Promise((resolve) => gatewayServer?.close(resolve));
      await dns?.close();
      if (prefix) fs.rmSync(prefix, { recursive: true, force: true });
    });

    async function listenNodes(specs: Array<{ name: string; address: string }>): Promise<number> {
      // The same port on every address: try ports until one is free on all of them.
      for (let attempt = 0; attempt < 20; attempt += 1) {
        const port = await findFreePort(at0(specs).address);
        const started: typeof nodes = [];
        try {
          for (const spec of specs) {
            const server = http.createServer();
            const seen: http.IncomingHttpHeaders[] = [];
            const io = new Server(server);
            io.on('connection', (socket) => {
              seen.push(socket.handshake.headers);
              socket.emit('hello', spec.name);
            });
            started.push({ ...spec, server, io, seen });
            await listen(server, spec.address, port);
          }
          nodes.push(...started);
          return port;
        } catch (err) {
          for (const node of started) await node.io.close();
          if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
        }
      }
      throw new Error('no port free on every node address');
    }

    const base = () => `http://127.0.0.1:${entry.port}`;

    function socketTo(nodeId: string, transports: Array<'websocket' | 'polling'>): Promise<string> {
      const client = connect(base(), { path: `/n/${nodeId}/socket.io`, transports, reconnection: false, forceNew: true, extraHeaders: { 'x-forwarded-for': '203.0.113.9' } });
      clients.push(client);
      return new Promise((resolve, reject) => {
        client.once('hello', (name: string) => resolve(name));
        client.once('connect_error', reject);
      });
    }

    it('routes /n/<nodeId>/socket.io/ to that node, over WebSocket and over polling', async () => {
      await expect(socketTo(NODE_A, ['websocket'])).resolves.toBe(NODE_A);
      await expect(socketTo(NODE_B, ['websocket'])).resolves.toBe(NODE_B);
      await expect(socketTo(NODE_B, ['polling'])).resolves.toBe(NODE_B);
      await expect(socketTo(NODE_A, ['polling'])).resolves.toBe(NODE_A);
      const a = at0(nodes.filter((n) => n.name === NODE_A));
      // Host as the browser sent it; the client's address appended to what came in.
      expect(at0(a.seen).host).toBe(`127.0.0.1:${entry.port}`);
      expect(at0(a.seen)['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    });

    it('keeps the query string and strips only the /n/<nodeId> prefix', async () => {
      const res = await fetch(`${base()}/n/${NODE_A}/socket.io/?EIO=4&transport=polling&t=abc`);
      expect(res.status).toBe(200);
      // An Engine.IO open packet: the node parsed EIO=4 and transport=polling from the query.
      expect(await res.text()).toMatch(/^0\{"sid":/);
    });

    it('reaches a node added after nginx started, with no change to nginx', async () => {
      dns.set(NODE_LATE, '127.0.0.5');
      await expect(socketTo(NODE_LATE, ['websocket'])).resolves.toBe(NODE_LATE);
    });

    it('answers a node that does not resolve with a 503 problem document', async () => {
      const res = await fetch(`${base()}/n/${NODE_GONE}/socket.io/?EIO=4&transport=polling`);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    });

    it('answers a malformed node path with a 404 problem document', async () => {
      // A dotted id would be a host name of the client's choosing (any name the resolver knows): never proxied.
      const bad404 = ['/n/', `/n/${NODE_A}/other/`, '/n/.hidden/socket.io/', '/n/0a1b2c%2F3d4e5f/socket.io/', '/n/evil.example.com/socket.io/?EIO=4&transport=polling'];
      for (const bad of bad404) {
        const res = await fetch(`${base()}${bad}`);
        expect({ bad, status: res.status }).toEqual({ bad, status: 404 });
        expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
      }
    });

    it('resolves only ids of the nodes\' form: any other name is a 404 and never looked up', async () => {
      // Each of these resolves to a live node here, so a request nginx proxied would succeed: only the pattern stops it.
      const outside = ['mysql', 'redis', 'consul', 'nginx', 'localhost', `${NODE_A}0`, NODE_A.slice(1), `x${NODE_A.slice(1)}`];
      for (const name of outside) dns.set(name, '127.0.0.2');
      for (const name of outside) {
        const res = await fetch(`${base()}/n/${name}/socket.io/?EIO=4&transport=polling`);
        expect({ name, status: res.status }).toEqual({ name, status: 404 });
        expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
      }
      // The resolver does see the names it is meant to (a node id is asked for); these it never was.
      const res = await fetch(`${base()}/n/${NODE_A}/socket.io/?EIO=4&transport=polling`);
      expect(res.status).toBe(200);
      expect(dns.queries()).toContain(NODE_A);
      expect(dns.queries().filter((q) => outside.some((name) => name.toLowerCase() === q))).toEqual([]);
    });

    it('started with no gateway resolvable, and sends the rest to the gateways once their name resolves', async () => {
      const before = await fetch(`${base()}/api/health`);
      expect(before.status).toBe(503);
      expect(await before.json()).toMatchObject({ code: 'UNAVAILABLE' });
      dns.set('gateway', '127.0.0.4');
      // nginx keeps the negative answer up to `valid=5s`: wait for the name, not for a time.
      const deadline = Date.now() + 15_000;
      let res = await fetch(`${base()}/api/health?x=1`);
      while (res.status !== 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        res = await fetch(`${base()}/api/health?x=1`);
      }
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ gateway: true });
      expect(gatewayRequests.at(-1)).toMatchObject({ url: '/api/health?x=1', headers: { host: `127.0.0.1:${entry.port}` } });
    });

    it('passes upload bodies up to 21m to the gateways (PUT /api/uploads/<id>/content), and keeps 1 MB elsewhere', async () => {
      // Runs after the gateway resolves (the test above).
      const twoMb = new Uint8Array(2 * 1024 * 1024 + 1);
      const upload = await fetch(`${base()}/api/uploads/01UPLOAD/content?t=1.x`, { method: 'PUT', body: twoMb, headers: { 'content-type': 'application/octet-stream' } });
      expect(upload.status).toBe(200);
      expect(gatewayRequests.at(-1)).toMatchObject({ url: '/api/uploads/01UPLOAD/content?t=1.x', bodyBytes: twoMb.length });
      const tooBig = await fetch(`${base()}/api/uploads/01UPLOAD/content?t=1.x`, { method: 'PUT', body: new Uint8Array(22 * 1024 * 1024), headers: { 'content-type': 'application/octet-stream' } });
      expect(tooBig.status).toBe(413);
      const elsewhere = await fetch(`${base()}/api/me`, { method: 'PATCH', body: twoMb, headers: { 'content-type': 'application/json' } });
      expect(elsewhere.status).toBe(413);
    });

    it("sends nginx's own request id to the gateways and the nodes, never the one a client chose", async () => {
      // Runs after the gateway resolves (the test above).
      const NGINX_ID = /^[0-9a-f]{32}$/;
      const before = gatewayRequests.length;
      const asked: Record<string, string>[] = [{ 'x-request-id': 'client-chosen' }, { 'X-Request-Id': 'a'.repeat(32) }, {}];
      for (const headers of asked) {
        expect((await fetch(`${base()}/api/health?rid=1`, { headers })).status).toBe(200);
      }
      const ids = gatewayRequests.slice(before).map((r) => r.headers['x-request-id']);
      expect(ids).toHaveLength(3);
      for (const id of ids) expect(id).toMatch(NGINX_ID);
      expect(ids).not.toContain('a'.repeat(32));
      expect(new Set(ids).size).toBe(3);

      const node = nodes.find((n) => n.name === NODE_B);
      const client = connect(base(), { path: `/n/${NODE_B}/socket.io`, transports: ['polling'], reconnection: false, forceNew: true, extraHeaders: { 'x-request-id': 'client-chosen' } });
      clients.push(client);
      await new Promise<void>((resolve, reject) => {
        client.once('hello', () => resolve());
        client.once('connect_error', reject);
      });
      expect(node?.seen.at(-1)?.['x-request-id']).toMatch(NGINX_ID);
    });

    it('never routes /metrics to a gateway, in any spelling the gateway would answer', async () => {
      // Runs after the gateway resolves (the test above): a request that got through would be a 200 from it.
      const spellings = ['/metrics', '/metrics/', '/METRICS', '/Metrics?x=1', '/%6detrics', '/metrics/../metrics', '//metrics', '/./metrics', '/metrics/extra'];
      const before = gatewayRequests.length;
      for (const spelling of spellings) {
        const res = await rawGet(entry.port, spelling);
        expect({ spelling, status: res.status }).toEqual({ spelling, status: 404 });
        expect(JSON.parse(res.body)).toMatchObject({ code: 'NOT_FOUND' });
      }
      expect(gatewayRequests.slice(before).map((r) => r.url)).toEqual([]);
      // Only /metrics itself: the web client's other paths still reach the gateways.
      for (const other of ['/metricsx', '/api/metrics', '/admin']) {
        const res = await rawGet(entry.port, other);
        expect({ other, status: res.status }).toEqual({ other, status: 200 });
      }
      expect(gatewayRequests.slice(before).map((r) => r.url)).toEqual(['/metricsx', '/api/metrics', '/admin']);
    });
  });
});

function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function at0<T>(list: readonly T[]): T {
  const first = list[0];
  if (first === undefined) throw new Error('empty list');
  return first;
}

/** A GET with the path sent exactly as given (fetch would normalize `//`, `/./` and `..` first). */
function rawGet(port: number, requestPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: requestPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
