// The checks the README's test command runs before jest: a type error, a lint
// error or relay types out of step with proto/relay.proto fail the command,
// not only a failing test. On failure the last line is still the CI summary
// line ("0 passed, 1 failed"), so CI reports it like any red run.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const env = { ...process.env, NX_DAEMON: 'false' };

/** Runs a command to completion (output streamed, stdout optionally dropped); resolves with whether it passed. */
function run(title, command, args, { quiet = false } = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'], env });
    child.on('close', (code) => {
      const ok = code === 0;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      resolve(ok);
    });
  });
}

/** Regenerates the relay's types into a temp dir and compares them with the committed ones. */
function protoTypesMatch() {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-proto-'));
  try {
    // The same command as `npm run proto:gen`, read from package.json so the flags live in one place.
    const [tool, ...args] = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts['proto:gen'].split(/\s+/);
    const outArgs = args.map((arg) => (arg.startsWith('--outDir=') ? `--outDir=${out}` : arg));
    const generated = spawnSync(bin(tool), outArgs, { cwd: root, stdio: 'inherit', env });
    if (generated.status !== 0) return false;
    const committed = path.join(root, 'libs/relay/src/generated');
    const list = (dir) => fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.ts')).sort();
    const want = list(out);
    const have = list(committed);
    const stale = want.filter((f) => !have.includes(f) || fs.readFileSync(path.join(out, f), 'utf8') !== fs.readFileSync(path.join(committed, f), 'utf8'));
    const extra = have.filter((f) => !want.includes(f));
    if (stale.length + extra.length > 0) {
      console.error(`libs/relay/src/generated is out of step with proto/relay.proto (${[...stale, ...extra].join(', ')}): run npm run proto:gen`);
      return false;
    }
    return true;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

// Two lanes on two cores: the compiler in one, the graph and the linter (the slow
// one: type-aware rules) in the other.
const lanes = [
  async () => [
    ['relay types match proto/relay.proto', protoTypesMatch()],
    ['type-check (every project)', await run('tsc -p tsconfig.json', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'])],
    ['type-check (web client)', await run('tsc -p static/tsconfig.json', bin('tsc'), ['-p', 'static/tsconfig.json'])],
  ],
  async () => [
    // The module-boundary rule reads Nx's project graph; without one it silently skips.
    ['project graph', await run('nx project graph', bin('nx'), ['show', 'projects'], { quiet: true })],
    ['lint', await run('eslint .', bin('eslint'), ['.', '--max-warnings=0'])],
  ],
];

const results = (await Promise.all(lanes.map((lane) => lane()))).flat();
const failed = results.filter(([, ok]) => !ok).map(([title]) => title);
if (failed.length > 0) {
  console.log(`static checks failed: ${failed.join('; ')}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
console.log('static checks passed');
