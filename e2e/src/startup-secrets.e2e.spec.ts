import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';

jest.setTimeout(60_000);

const REPO_ROOT = path.resolve(__dirname, '../..');
const strong = () => crypto.randomBytes(32).toString('base64url');

/** Runs an app entry point with only `env` and resolves with how it ended, or 'running' if it got as far as listening. */
function start(entry: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PARLEY_STORE: 'sqlite', PARLEY_SQLITE_PATH: ':memory:', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Got past its configuration: not what these cases expect; stop it and report.
    child.stdout.on('data', (chunk: Buffer) => {
      if (/PARLEY_(GATEWAY|NODE)_READY/.test(chunk.toString())) child.kill('SIGKILL');
    });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

const APPS = [
  ['gateway', 'apps/gateway/src/main.ts', { PARLEY_DISCOVERY: 'static', PARLEY_PORT: '0', PARLEY_RELAY_PORT: '0' }],
  ['im-service', 'apps/im-service/src/main.ts', { PARLEY_DISCOVERY: 'none', PARLEY_PORT: '0' }],
] as const;

const CASES: [string, Record<string, string>, RegExp][] = [
  ['no relay credentials at all', { PARLEY_JWT_SECRET: strong() }, /PARLEY_CLUSTER_SECRET: required/],
  ['a short cluster secret', { PARLEY_JWT_SECRET: strong(), PARLEY_CLUSTER_SECRET: 'tooshort-1234' }, /PARLEY_CLUSTER_SECRET/],
  [
    'a placeholder cluster secret',
    { PARLEY_JWT_SECRET: strong(), PARLEY_CLUSTER_SECRET: 'change-me-change-me-change-me-change-me' },
    /PARLEY_CLUSTER_SECRET: .*placeholder/,
  ],
  ['a placeholder JWT secret', { PARLEY_JWT_SECRET: 'replace-me-replace-me-replace-me-0000', PARLEY_CLUSTER_SECRET: strong() }, /PARLEY_JWT_SECRET/],
];

describe.each(APPS)('the %s refuses to start without strong secrets', (_app, entry, base) => {
  it.each(CASES)('%s: exits at start with a message naming the variable', async (_case, env, message) => {
    const result = await start(entry, { ...base, ...env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    // The refused value itself is never echoed.
    if (env.PARLEY_CLUSTER_SECRET) expect(result.stderr).not.toContain(env.PARLEY_CLUSTER_SECRET);
  });
});
