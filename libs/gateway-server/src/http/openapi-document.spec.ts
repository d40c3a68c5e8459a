import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { ERROR_CODES, isErrorCode } from '@parley/protocol';
import { at } from '@parley/testing';
import { API_DOCS_CSP } from './api-docs.router';
import { createHttpApp, type HttpAppDeps } from './http-app';
import { PushSubscriptionService, type PushSubscriptionServiceDeps } from '../push/push-subscription-service';
import { testGatewayMetrics } from '../testing/gateway-metrics';
import { BEARER_SCHEME, REFRESH_COOKIE_SCHEME, buildOpenApiDocument, type OpenApiDocument } from './openapi-document';

const doc = buildOpenApiDocument();
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface DocOperation {
  method: string;
  path: string;
  op: NonNullable<NonNullable<OpenApiDocument['paths']>[string]['get']>;
}

function operationsOf(document: OpenApiDocument): DocOperation[] {
  return Object.entries(document.paths ?? {}).flatMap(([p, item]) =>
    METHODS.flatMap((method) => (item[method] ? [{ method, path: p, op: item[method] }] : [])),
  );
}
const operations = operationsOf(doc);

/** The pieces of Express 5's router (router@2) a route walk needs. */
interface Layer {
  route?: { path: string | RegExp | (string | RegExp)[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: string | RegExp | (string | RegExp)[];
}

/** Every route the app registers, mount paths included, walked from its router stack. */
function registeredRoutes(app: Express): { method: string; path: string | RegExp }[] {
  const out: { method: string; path: string | RegExp }[] = [];
  const join = (prefix: string, p: string): string => (prefix + (p === '/' ? '' : p)).replace(/\/+$/, '') || '/';
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = ([] as (string | RegExp)[]).concat(layer.route.path);
        for (const p of paths) {
          for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) {
            out.push({ method, path: typeof p === 'string' ? join(prefix, p) : p });
          }
        }
      } else if (layer.handle.stack) {
        const mount = layer.rawPath ?? '/';
        if (typeof mount !== 'string') throw new Error(`a router mounted at ${String(mount)}: teach this walk about it`);
        walk(layer.handle.stack, join(prefix, mount));
      }
    }
  };
  walk((app.router as unknown as { stack: Layer[] }).stack, '');
  return out;
}

/**
 * The web client's routes are not REST endpoints: its app-shell fallback (a
 * RegExp, which OpenAPI cannot express) and the browser build of socket.io-client.
 */
const isWebClientRoute = (route: { path: string | RegExp }): boolean =>
  typeof route.path !== 'string' || route.path.startsWith('/vendor/');

/** Express `:param` to OpenAPI `{param}`. */
const toTemplate = (p: string): string => p.replace(/:(\w+)/g, '{$1}');

/** The routes only register; no dependency is called unless a request reaches a handler. */
function appUnderTest(staticDir?: string): Express {
  const logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
  return createHttpApp({
    ...testGatewayMetrics(),
    accounts: {} as HttpAppDeps['accounts'],
    sessions: {} as HttpAppDeps['sessions'],
    assigner: {} as HttpAppDeps['assigner'],
    // The security headers read the node list (connect-src) on every answer.
    directory: { healthyNodes: () => [] } as unknown as HttpAppDeps['directory'],
    logger: logger as unknown as HttpAppDeps['logger'],
    staticDir,
    // Configured, so the VAPID key (no token needed) answers 200 like the other open reads.
    push: new PushSubscriptionService({
      store: {} as PushSubscriptionServiceDeps['store'],
      push: { publicKey: 'BPublicKey', checkEndpoint: () => null },
      ids: { next: () => 'id' },
      clock: { now: () => 0 },
    }),
  });
}

describe('the OpenAPI document of the REST API', () => {
  it('is OpenAPI 3.1 with a title, a version and a bearer JWT scheme', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    expect(doc.components?.securitySchemes?.[BEARER_SCHEME]).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });

  it('gives every operation a unique operationId, a summary, a tag it declares and a success response', () => {
    const ids = operations.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const tags = new Set((doc.tags ?? []).map((t) => t.name));
    for (const { method, path: p, op } of operations) {
      expect({ at: `${method} ${p}`, summary: Boolean(op.summary), tagged: (op.tags ?? []).every((t) => tags.has(t)) }).toEqual({
        at: `${method} ${p}`,
        summary: true,
        tagged: true,
      });
      expect(Object.keys(op.responses ?? {}).filter((s) => /^2\d\d$/.test(s))).toHaveLength(1);
    }
  });

  it('resolves every $ref to a component it defines', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of new Set(refs)) {
      const target = /"#\/components\/schemas\/([^"]+)"/.exec(ref.slice(7))?.[1];
      expect({ ref, resolves: Boolean(target !== undefined && doc.components?.schemas?.[target]) }).toEqual({ ref, resolves: true });
    }
  });

  it('describes each error as a problem document whose codes exist and carry that HTTP status', () => {
    let codes = 0;
    for (const { method, path: p, op } of operations) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (/^2\d\d$/.test(status)) continue;
        const media = (response as { content?: Record<string, { schema?: { allOf?: unknown[] } }> }).content?.['application/problem+json'];
        expect({ at: `${method} ${p} ${status}`, problem: Boolean(media) }).toEqual({ at: `${method} ${p} ${status}`, problem: true });
        const [base, narrowed] = (media?.schema?.allOf ?? []) as [{ $ref: string }, { properties: { code: { enum: string[] } } }];
        expect(base.$ref).toBe('#/components/schemas/Problem');
        for (const code of narrowed.properties.code.enum) {
          codes++;
          expect({ code, status: isErrorCode(code) ? ERROR_CODES[code].status : 'unknown' }).toEqual({ code, status: Number(status) });
        }
      }
    }
    expect(codes).toBeGreaterThan(operations.length);
    expect(doc.components?.schemas?.ErrorCode).toMatchObject({ enum: Object.keys(ERROR_CODES) });
  });

  it('asks for a credential (bearer token or refresh cookie) exactly where a 401 UNAUTHORIZED is possible', () => {
    for (const { method, path: p, op } of operations) {
      const credential = (op.security ?? []).some((s) => BEARER_SCHEME in s || REFRESH_COOKIE_SCHEME in s);
      const unauthorized = JSON.stringify(op.responses?.['401'] ?? {}).includes('"UNAUTHORIZED"');
      expect({ at: `${method} ${p}`, credential }).toEqual({ at: `${method} ${p}`, credential: unauthorized });
    }
    expect(operations.filter(({ op }) => op.security).length).toBeGreaterThanOrEqual(5);
    expect(doc.components?.securitySchemes?.[REFRESH_COOKIE_SCHEME]).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'parley_refresh' });
  });

  it('takes request bodies and query parameters from the zod schemas the routers validate with', () => {
    const register = doc.paths?.['/api/auth/register']?.post;
    expect(register?.requestBody).toMatchObject({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RegisterBody' } } } });
    expect(doc.components?.schemas?.RegisterBody).toMatchObject({
      additionalProperties: false,
      required: ['username', 'password'],
      properties: { username: { pattern: '^[a-zA-Z0-9_.-]{3,32}$' }, password: { minLength: 8, maxLength: 256 } },
    });
    const search = doc.paths?.['/api/users']?.get?.parameters ?? [];
    expect(search).toEqual([
      expect.objectContaining({ name: 'q', in: 'query', required: true }),
      expect.objectContaining({ name: 'limit', in: 'query', required: false, schema: expect.objectContaining({ type: 'integer', default: 20, maximum: 50 }) }),
      expect.objectContaining({ name: 'offset', in: 'query', required: false, schema: expect.objectContaining({ type: 'integer', default: 0 }) }),
    ]);
    // Every change takes a body, but signing out everywhere and checking an upload, which need nothing but the token (and the path).
    const bodyless = new Set(['logoutAll', 'completeUpload']);
    for (const { method, path: p, op } of operations) {
      const expected = method !== 'get' && !bodyless.has(op.operationId ?? '');
      expect({ at: `${method} ${p}`, body: Boolean(op.requestBody) }).toEqual({ at: `${method} ${p}`, body: expected });
    }
  });
});

describe('the OpenAPI document and the Express app', () => {
  let staticDir: string;
  beforeAll(() => {
    staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-openapi-'));
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>web client</title>');
  });
  afterAll(() => fs.rmSync(staticDir, { recursive: true, force: true }));

  it('documents every route the app registers, and the app registers every documented operation', () => {
    const routes = registeredRoutes(appUnderTest(staticDir));
    expect(routes.filter(isWebClientRoute).length).toBeGreaterThanOrEqual(2);
    const registered = routes.filter((r) => !isWebClientRoute(r)).map((r) => `${r.method.toUpperCase()} ${toTemplate(r.path as string)}`);
    const documented = operations.map(({ method, path: p }) => `${method.toUpperCase()} ${p}`);
    expect(new Set(registered).size).toBe(registered.length);
    expect([...registered].sort()).toEqual([...documented].sort());
  });

  describe('served', () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      server = appUnderTest(staticDir).listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('answers GET /api/openapi.json with the document, without a token', async () => {
      const res = await fetch(`${base}/api/openapi.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual(JSON.parse(JSON.stringify(doc)));
    });

    it('asks for a token exactly where the document says so (each operation called without one)', async () => {
      for (const { method, path: p, op } of operations) {
        const init: RequestInit = { method: method.toUpperCase() };
        if (op.requestBody) Object.assign(init, { headers: { 'content-type': 'application/json' }, body: '{}' });
        const res = await fetch(`${base}${p}`, init);
        const body = res.headers.get('content-type')?.includes('json') ? ((await res.json()) as { code?: string }) : {};
        const bearer = Boolean(op.security?.length);
        // A signed link's parameters (upload content, blobs) are its credential: without them, 400.
        const required = op.requestBody || (op.parameters ?? []).some((q) => 'in' in q && q.in === 'query' && q.required);
        expect({ at: `${method} ${p}`, status: res.status, code: body.code }).toEqual(
          bearer
            ? { at: `${method} ${p}`, status: 401, code: 'UNAUTHORIZED' }
            : { at: `${method} ${p}`, status: required ? 400 : 200, code: required ? 'INVALID_ARGUMENT' : undefined },
        );
        expect(Object.keys(op.responses ?? {})).toContain(String(res.status));
      }
    });

    it('serves the docs page and every file it loads from this origin, under a strict CSP', async () => {
      const page = await fetch(`${base}/api/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toBe(API_DOCS_CSP);
      expect(API_DOCS_CSP).toContain("script-src 'self';");
      const html = await page.text();
      expect(html).not.toMatch(/https?:\/\//);
      expect(html).not.toMatch(/<script>|<style|style=/);
      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      expect(assets).toEqual(expect.arrayContaining(['/api/docs/swagger-ui-bundle.js', '/api/docs/swagger-ui.css', '/api/docs/api-docs.js']));
      for (const asset of assets) {
        const res = await fetch(`${base}${asset}`);
        expect({ asset, status: res.status, csp: res.headers.get('content-security-policy') }).toEqual({ asset, status: 200, csp: API_DOCS_CSP });
      }
      const init = await (await fetch(`${base}/api/docs/api-docs.js`)).text();
      expect(init).toContain("url: '/api/openapi.json'");
      expect(init).toContain('validatorUrl: null');
    });

    it("does not serve swagger-ui-dist's other files (its demo page loads the petstore from the internet)", async () => {
      for (const file of ['index.html', 'swagger-initializer.js', 'package.json', 'oauth2-redirect.html', '..%2F..%2Fpackage.json']) {
        const res = await fetch(`${base}/api/docs/${file}`);
        expect({ file, served: res.status < 400 }).toEqual({ file, served: false });
      }
    });
  });
});

describe('docs/protocol.md and the OpenAPI document', () => {
  const markdown = fs.readFileSync(path.resolve(__dirname, '../../../../docs/protocol.md'), 'utf8');
  const rows = [...markdown.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) (\/[^`?]*)(?:\?[^`]*)?` \|(.*)$/gm)].map((m) => {
    const [method, route, cells] = [at(m, 1, 'method'), at(m, 2, 'path'), at(m, 3, 'rest of the row')];
    return { method, route, endpoint: `${method} ${route}`, codes: [...cells.matchAll(/`([A-Z][A-Z_]+)`/g)].map((c) => c[1]) };
  });

  it('lists every documented endpoint in its REST table, and nothing else', () => {
    const documented = operations.map(({ method, path: p }) => `${method.toUpperCase()} ${p}`);
    expect(rows.map((r) => r.endpoint).sort()).toEqual([...documented].sort());
  });

  it('names, for each endpoint, only error codes the document gives it', () => {
    for (const row of rows) {
      const op = doc.paths?.[row.route]?.[row.method.toLowerCase() as 'get'];
      const allowed = JSON.stringify(op?.responses ?? {});
      for (const code of row.codes) expect({ endpoint: row.endpoint, code, listed: allowed.includes(`"${code}"`) }).toEqual({ endpoint: row.endpoint, code, listed: true });
    }
  });
});
