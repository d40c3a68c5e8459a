import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, spawnApp, terminate, TEST_PASSWORD, waitFor, type ClusterProcess } from '@parley/testing';

jest.setTimeout(120_000);

const NAME = 'embedded-ops';
const BANNER_END = 'Press Ctrl-C to stop.';

interface Banner {
  lines: string[];
  gateway: string;
  console: string;
  metrics: string[];
  admin: { username: string; password: string; file: string } | undefined;
}

/** Embedded mode on a free port (and the two after it); resolves once its whole banner is out. */
async function startEmbedded(dataDir: string, logDir: string, logLevel = 'warn'): Promise<{ proc: ClusterProcess; banner: Banner }> {
  const logFile = path.join(logDir, `${NAME}.log`);
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    // A restart appends to the log: only what this start writes counts.
    const from = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
    let proc: ClusterProcess;
    try {
      proc = await spawnApp(NAME, 'apps/embedded/src/main.ts', 'Parley is running', {
        PARLEY_PORT: String(port),
        PARLEY_DATA_DIR: dataDir,
        PARLEY_STATIC_DIR: path.join(dataDir, 'no-web-client'),
        PARLEY_LOG_LEVEL: logLevel,
      }, { logDir });
    } catch (err) {
      if (attempt >= 3) throw err;
      continue;
    }
    return { proc, banner: await bannerOf(logFile, from) };
  }
}

/** The banner written to the log after byte `from`, once its last line is there (the log is piped, so it may lag the ready marker). */
async function bannerOf(logFile: string, from: number): Promise<Banner> {
  const lines = await waitFor(
    `a whole banner in ${logFile}`,
    () => {
      const log = fs.readFileSync(logFile).subarray(from).toString('utf8');
      const start = log.indexOf('Parley is running');
      const end = log.indexOf(BANNER_END, start);
      return start >= 0 && end > start ? log.slice(start, end).split('\n') : undefined;
    },
    { timeoutMs: 30_000 },
  );
  return parseBanner(lines);
}

function parseBanner(lines: string[]): Banner {
  const field = (label: string) => lines.find((l) => l.trimStart().startsWith(label))?.trimStart().slice(label.length).trim() ?? '';
  const login = /^ {2}admin login: (\S+) \/ (\S+) \(from (.+)\)$/.exec(lines.find((l) => l.includes('admin login:')) ?? '');
  return {
    lines,
    gateway: field('web client').replace(/\/$/, ''),
    console: field('ops console'),
    metrics: field('metrics').split(/,\s*/).filter(Boolean),
    admin: login ? { username: login[1] as string, password: login[2] as string, file: login[3] as string } : undefined,
  };
}

async function login(gateway: string, username: string, password: string): Promise<{ status: number; token?: string }> {
  const res = await fetch(`${gateway}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const body = (await res.json()) as { token?: string };
  return { status: res.status, token: body.token };
}

describe('npm start shows how to see inside', () => {
  let root: string;
  let dataDir: string;
  let running: ClusterProcess | undefined;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-embedded-ops-'));
    dataDir = path.join(root, 'data');
  });
  afterAll(async () => {
    if (running) await terminate(running);
    fs.rmSync(root, { recursive: true, force: true });
  });

  let first: Banner;

  it('prints the console URL, the /metrics URLs and a made admin login whose password is kept 0600', async () => {
    // debug: every log line the process can write, so none of them may carry the password.
    const started = await startEmbedded(dataDir, root, 'debug');
    running = started.proc;
    first = started.banner;
    expect(first.gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.console).toBe(`${first.gateway}/admin`);
    expect(first.metrics).toContain(`${first.gateway}/metrics`);
    expect(first.admin).toEqual({ username: 'admin', password: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/), file: path.join(dataDir, 'admin-password') });
    const file = path.join(dataDir, 'admin-password');
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(first.admin?.password);
  });

  it('serves Prometheus text on every printed /metrics URL, the gateway\'s and both nodes\' series in it', async () => {
    for (const url of first.metrics) {
      const res = await fetch(url);
      const body = await res.text();
      expect({ url, status: res.status, type: res.headers.get('content-type') }).toEqual({ url, status: 200, type: expect.stringMatching(/^text\/plain; version=0\.0\.4/) });
      expect(body).toMatch(/^# TYPE parley_ready gauge$/m);
      expect(body).toMatch(/^# TYPE nodejs_eventloop_lag_p99_seconds gauge$/m);
      for (const series of ['gateway="gw-embedded"', 'node="im-1"', 'node="im-2"']) expect({ url, series, found: body.includes(series) }).toEqual({ url, series, found: true });
    }
  });

  it('lets the printed login into the admin API, and nobody else', async () => {
    const admin = await login(first.gateway, 'admin', first.admin?.password ?? '');
    expect(admin.status).toBe(200);
    const fleet = await fetch(`${first.gateway}/api/admin/fleet`, { headers: { authorization: `Bearer ${admin.token ?? ''}` } });
    expect(fleet.status).toBe(200);
    const nodes = ((await fleet.json()) as { nodes: Array<{ nodeId: string }> }).nodes.map((n) => n.nodeId).sort();
    expect(nodes).toEqual(['im-1', 'im-2']);

    // A wrong password is refused; a user who registers is no admin.
    expect((await login(first.gateway, 'admin', `${first.admin?.password ?? ''}x`)).status).toBe(401);
    const reg = await fetch(`${first.gateway}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'not-an-admin', password: TEST_PASSWORD }),
    });
    expect(reg.status).toBe(201);
    const { token } = (await reg.json()) as { token: string };
    expect((await fetch(`${first.gateway}/api/admin/fleet`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
  });

  it('never writes the password anywhere but the banner line (debug logging on)', () => {
    const password = first.admin?.password ?? '';
    const log = fs.readFileSync(path.join(root, `${NAME}.log`), 'utf8');
    const carrying = log.split('\n').filter((l) => l.includes(password));
    expect(carrying).toEqual([`  admin login: admin / ${password} (from ${path.join(dataDir, 'admin-password')})`]);
  });

  it('prints the same login after a restart, and makes no second account', async () => {
    if (running) await terminate(running);
    const again = await startEmbedded(dataDir, root);
    running = again.proc;
    expect(again.banner.admin).toEqual(first.admin);
    expect((await login(again.banner.gateway, 'admin', first.admin?.password ?? '')).status).toBe(200);
    const { token } = await login(again.banner.gateway, 'admin', first.admin?.password ?? '');
    const users = await fetch(`${again.banner.gateway}/api/admin/users?q=admin`, { headers: { authorization: `Bearer ${token ?? ''}` } });
    expect(users.status).toBe(200);
    const found = ((await users.json()) as { users: Array<{ username: string; admin: boolean }> }).users.filter((u) => u.username === 'admin');
    expect(found).toEqual([expect.objectContaining({ username: 'admin', admin: true })]);
  });
});
