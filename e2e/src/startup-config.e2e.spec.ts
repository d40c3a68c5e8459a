import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';

jest.setTimeout(60_000);

const REPO_ROOT = path.resolve(__dirname, '../..');
const strong = () => crypto.randomBytes(32).toString('base64url');

interface Outcome {
  /** 'ready' when it printed its READY line (then it was stopped). */
  ended: 'ready' | 'exited';
  code: number | null;
  stdout: string;
  stderr: string;
  /** What GET /readyz answered once it was ready (IM nodes). */
  readyz?: { status: number; detail?: string };
}

/** Runs an app entry point with only `env`; stops it (SIGTERM) once it is ready. */
function start(entry: string, env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PARLEY_STORE: 'sqlite',
        PARLEY_SQLITE_PATH: ':memory:',
        PARLEY_JWT_SECRET: strong(),
        PARLEY_CLUSTER_SECRET: strong(),
        PARLEY_PORT: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let ready = false;
    let readyz: Outcome['readyz'];
    const stopGracefully = (): void => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    };
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /PARLEY_(GATEWAY|NODE)_READY (\{.*\})/.exec(stdout);
      if (ready || !line) return;
      ready = true;
      const { url } = JSON.parse(line[2] ?? '{}') as { url?: string };
      if (!url) return stopGracefully();
      void fetch(`${url}/readyz`)
        .then(async (res) => ({ status: res.status, detail: ((await res.json()) as { detail?: string }).detail }))
        .then((answer) => (readyz = answer), () => undefined)
        .finally(stopGracefully);
    });
    child.on('exit', (code) => resolve({ ended: ready ? 'ready' : 'exited', code, stdout, stderr, readyz }));
  });
}

const IM = 'apps/im-service/src/main.ts';
const GATEWAY = 'apps/gateway/src/main.ts';

/** pino lines at warn level (40) whose message matches. */
const warnLines = (stdout: string, pattern: RegExp): string[] =>
  stdout.split('\n').filter((line) => line.includes('"level":40') && pattern.test(line));

describe('start-up refusals and warnings of the apps', () => {
  it('an IM node with consul discovery and no PARLEY_REDIS_URL refuses to start, naming it', async () => {
    const result = await start(IM, { PARLEY_DISCOVERY: 'consul', PARLEY_GATEWAYS: '127.0.0.1:1' });
    expect(result).toMatchObject({ ended: 'exited', code: 1 });
    expect(result.stderr).toMatch(/IM node failed to start: .*PARLEY_REDIS_URL: required with PARLEY_DISCOVERY=consul/);
  });

  it('an IM node in static mode without Redis starts, warning that presence is its alone; `none` is taken with a deprecation warning', async () => {
    const result = await start(IM, { PARLEY_DISCOVERY: 'none', PARLEY_GATEWAYS: '127.0.0.1:1', PARLEY_LOG_LEVEL: 'warn' });
    expect(result.ended).toBe('ready');
    expect(warnLines(result.stdout, /no PARLEY_REDIS_URL/)).toHaveLength(1);
    expect(warnLines(result.stdout, /PARLEY_DISCOVERY=none is deprecated/)).toHaveLength(1);
    // No gateway answers at 127.0.0.1:1: the node started all the same, and says it is not ready.
    expect(result.readyz).toEqual({ status: 503, detail: 'not ready: no relay gateway stream ready' });
  });

  it.each([
    ['IM node', IM, { PARLEY_DISCOVERY: 'static' }],
    ['gateway', GATEWAY, { PARLEY_DISCOVERY: 'static', PARLEY_RELAY_PORT: '0' }],
  ])('the %s refuses a wildcard PARLEY_ADVERTISE_HOST, naming it', async (_app, entry, env) => {
    const result = await start(entry, { ...env, PARLEY_HOST: '0.0.0.0', PARLEY_ADVERTISE_HOST: '0.0.0.0' });
    expect(result).toMatchObject({ ended: 'exited', code: 1 });
    expect(result.stderr).toMatch(/PARLEY_ADVERTISE_HOST: a wildcard/);
  });

  it('a gateway whose database does not answer waits for it with warnings, then fails naming the cause', async () => {
    const result = await start(GATEWAY, {
      PARLEY_DISCOVERY: 'static',
      PARLEY_RELAY_PORT: '0',
      PARLEY_STORE: 'mysql',
      PARLEY_MYSQL_URL: 'mysql://parley:Not-In-Logs-77@127.0.0.1:1/parley',
      PARLEY_STORE_WAIT_SEC: '2',
    });
    expect(result).toMatchObject({ ended: 'exited', code: 1 });
    expect(warnLines(result.stdout, /database not reachable yet/).length).toBeGreaterThanOrEqual(1);
    expect(result.stderr).toMatch(/gateway failed to start: store unavailable: .*ECONNREFUSED/);
    expect(result.stdout + result.stderr).not.toContain('Not-In-Logs-77');
  });
});
