import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TEST_PASSWORD, at, startCluster, type Cluster } from '@parley/testing';

/**
 * The client library as its users get it: built with tsup, `npm pack`ed, the
 * tarball installed with `npm install` into a project in a temporary folder
 * outside the workspace (its runtime dependencies come from the npm cache or
 * registry, nothing from the monorepo), then two users chatting through it
 * across the two IM nodes of a real cluster, from an ES module and from a
 * CommonJS script, and the README's example type-checked against the
 * installed declarations.
 */

jest.setTimeout(120_000);

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');
const packageDir = path.join(root, 'libs', 'client-sdk');

/** npm with none of the npm_* settings of an `npm test` that may have started us (they point into the workspace). */
async function npm(args: string[], cwd: string): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  const { stdout } = await run('npm', args, { cwd, env: { ...env, npm_config_update_notifier: 'false' }, maxBuffer: 16 << 20 });
  return stdout;
}

/** The script both module flavours run: two users become friends, then chat both ways; prints what happened as JSON. */
const CHAT = `
async function main(gatewayUrl, tag) {
  const user = async (name) => {
    const client = new ParleyClient({ gatewayUrl });
    await client.register(name + '_' + tag, ${JSON.stringify(TEST_PASSWORD)});
    await client.connect();
    return client;
  };
  const alice = await user('alice');
  const bob = await user('bob');
  const nextMessage = (client, text) =>
    new Promise((resolve) => {
      const off = client.on('message', (m) => m.body.text === text && (off(), resolve(m)));
    });

  let refused;
  try {
    await alice.send({ type: 'user', id: bob.user.id }, 'too early'); // not friends yet
  } catch (err) {
    refused = { parleyError: err instanceof ParleyError, code: err.code, temporary: ERROR_CODES[err.code].temporary };
  }

  const accepted = new Promise((resolve) => alice.on('friendUpdate', resolve));
  bob.on('friendRequest', ({ request }) => void bob.command('friend:respond', { requestId: request.id, accept: true }));
  await alice.command('friend:request', { userId: bob.user.id });
  await accepted;

  const atBob = nextMessage(bob, 'hello bob');
  const sent = await alice.send({ type: 'user', id: bob.user.id }, 'hello bob');
  const received = await atBob;
  const atAlice = nextMessage(alice, 'hello alice');
  const reply = await bob.send({ type: 'user', id: alice.user.id }, 'hello alice');
  const answer = await atAlice;

  const result = {
    nodes: [alice.nodeId, bob.nodeId],
    refused,
    sent: sent.id,
    received: received.id,
    reply: reply.id,
    answer: answer.id,
    held: alice.messages(sent.conversationId).map((m) => [m.id, m.seq]),
  };
  await Promise.all([alice.close(), bob.close()]);
  return result;
}
main(process.argv[2], process.argv[3]).then(
  (result) => console.log(JSON.stringify(result)),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
`;

describe('the packed client library (@parley/client)', () => {
  let cluster: Cluster;
  let work: string;
  let project: string;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-client-pack-'));
    project = path.join(work, 'app');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'parley-client-user', private: true }));
    const install = (async () => {
      await npm(['run', 'build'], packageDir); // what prepack does; run apart so pack's stdout is its JSON alone
      const packOutput = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], packageDir);
      const packed = at(JSON.parse(packOutput) as { filename: string }[], 0, 'packed file');
      await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(work, packed.filename)], project);
    })();
    const started = startCluster({ nodes: 2, name: 'client-package-e2e' });
    const [installed, clusterStarted] = await Promise.allSettled([install, started]);
    if (clusterStarted.status === 'fulfilled') cluster = clusterStarted.value;
    if (installed.status === 'rejected') throw installed.reason;
    if (clusterStarted.status === 'rejected') throw clusterStarted.reason;
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('installs as a package of its own: built ESM and CJS with declarations, loading nothing but socket.io-client', () => {
    const installed = path.join(project, 'node_modules', '@parley', 'client');
    expect(fs.realpathSync(installed).startsWith(root)).toBe(false); // a copy from the tarball, not a link into the workspace
    const dist = fs.readdirSync(path.join(installed, 'dist'));
    expect(dist).toEqual(expect.arrayContaining(['index.mjs', 'index.cjs', 'index.d.mts', 'index.d.ts']));
    expect(fs.existsSync(path.join(installed, 'src'))).toBe(false);
    const loads = (file: string, pattern: RegExp) => [...fs.readFileSync(path.join(installed, 'dist', file), 'utf8').matchAll(pattern)].map((m) => m[1]);
    expect(new Set(loads('index.mjs', /^import .* from "([^"]+)";$/gm))).toEqual(new Set(['socket.io-client']));
    expect(new Set(loads('index.cjs', /require\("([^"]+)"\)/g))).toEqual(new Set(['socket.io-client']));
  });

  it.each([
    ['an ES module (import)', 'chat.mjs', "import { ParleyClient, ParleyError, ERROR_CODES } from '@parley/client';"],
    ['a CommonJS script (require)', 'chat.cjs', "const { ParleyClient, ParleyError, ERROR_CODES } = require('@parley/client');"],
  ])('lets two users on different IM nodes chat from %s', async (_kind, file, load) => {
    fs.writeFileSync(path.join(project, file), `${load}\n${CHAT}`);
    const tag = `${path.parse(file).ext.slice(1)}${process.pid}_${Date.now() % 100_000}`;
    const { stdout } = await run(process.execPath, [file, cluster.gatewayUrl, tag], { cwd: project, timeout: 60_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '');
    expect(new Set(result.nodes).size).toBe(2); // round-robin put them on different nodes
    expect(result.refused).toEqual({ parleyError: true, code: 'FORBIDDEN', temporary: false });
    expect(result.received).toBe(result.sent);
    expect(result.answer).toBe(result.reply);
    const held = result.held as [string, number][]; // what alice's client holds of the conversation: in order, no holes
    expect(held.map(([, seq]) => seq)).toEqual(held.map((_, i) => i + 1));
    expect(held.map(([id]) => id).filter((id) => id === result.sent || id === result.reply)).toEqual([result.sent, result.reply]);
  });

  it("type-checks the README's example against the installed declarations, as ESM and as CommonJS", async () => {
    const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
    const example = /## Example\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    fs.writeFileSync(path.join(project, 'example.mts'), example ?? '');
    fs.writeFileSync(
      path.join(project, 'example.cts'),
      "import { ParleyClient, type ClientState } from '@parley/client';\n" +
        "export const states: ClientState[] = [];\nnew ParleyClient({ gatewayUrl: 'http://gw' }).on('state', (s) => states.push(s));\n",
    );
    // skipLibCheck: the declarations were compiled by the build already; checking zod's own takes 12 s more.
    const compilerOptions = { noEmit: true, strict: true, skipLibCheck: true, module: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], types: [] };
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['example.mts', 'example.cts'] }));
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    await expect(run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project })).resolves.toBeDefined();
  });
});
