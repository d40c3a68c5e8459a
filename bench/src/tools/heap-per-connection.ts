/**
 * `npx tsx bench/src/tools/heap-per-connection.ts [--connections 2000] [--users N]
 *   [--warmup 200] [--settle-ms 2000] [--no-snapshot] [--keep] [--retainers CLASS]...`
 *
 * What one idle connection costs an IM node, and in which objects. Starts
 * ONE IM node the way the bench and the e2e tests do (startCluster: a
 * throwaway MariaDB and Redis, Consul simulator, gateway), with the bench's
 * heap probe and a heap-snapshot hook preloaded. Opens `--warmup`
 * connections and closes them (JIT code and lazily built state are not
 * per-connection), measures heapUsed after a full GC, opens `--connections`
 * authenticated websocket sessions spread over `--users` accounts (default
 * one per 10 sessions, like S1), waits `--settle-ms`, measures again and
 * prints the growth per connection. With snapshots (the default), it then
 * diffs a heap snapshot taken before against one taken after, class by class,
 * charges every new object to the per-connection object that dominates it
 * (`WebSocket._receiver`), lists what a typical Socket.IO / engine.io / ws /
 * net socket retains, and, with `--retainers`, what holds a class.
 * Snapshots grow ~30 KB per connection and are read as one string: beyond
 * ~15,000 connections, use --no-snapshot.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { JwtTokenService } from '@parley/auth';
import { systemClock } from '@parley/domain';
import { at, startCluster } from '@parley/testing';
import { MysqlStore } from '@parley/store';
import { createUlidGenerator } from '@parley/util-node';
import { ServerStats } from '../env/proc-stats';
import { roundRobin } from '../scenarios/common';
import { HeapSnapshot, type ClassTotals } from './heap-snapshot';

interface Args {
  connections: number;
  users: number;
  warmup: number;
  settleMs: number;
  snapshot: boolean;
  keep: boolean;
  /** Classes whose holders are listed. */
  retainers: string[];
}

const PRELOADS = [path.join(__dirname, '../env/probe-preload.cjs'), path.join(__dirname, 'snapshot-preload.cjs')];
const CONCURRENCY = 50;
/** Objects each connection owns, whose retained subtree is listed. */
const EXPLAINED = ['Socket (socket.io)', 'Client', 'Socket (engine.io)', 'WebSocket', 'Socket (net)'];
/** Owners heap growth is charged to: those, and the handshake's request and its upgrade stand-in response. */
const OWNERS: ReadonlySet<string> = new Set([...EXPLAINED, 'IncomingMessage', 'WebSocketResponse']);
const TOP_ROWS = 30;

function parseArgs(argv: string[]): Args {
  const args: Args = { connections: 2000, users: 0, warmup: 200, settleMs: 2000, snapshot: true, keep: false, retainers: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a non-negative integer`);
      return v;
    };
    const text = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--connections') args.connections = num();
    else if (a === '--users') args.users = num();
    else if (a === '--warmup') args.warmup = num();
    else if (a === '--settle-ms') args.settleMs = num();
    else if (a === '--no-snapshot') args.snapshot = false;
    else if (a === '--keep') args.keep = true;
    else if (a === '--retainers') args.retainers.push(text());
    else throw new Error(`unknown argument ${a}`);
  }
  if (args.users === 0) args.users = Math.max(1, Math.round(args.connections / 10));
  return args;
}

const log = (msg: string): void => void process.stderr.write(`[heap] ${msg}\n`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks the snapshot hook in `pid` for a heap snapshot; resolves with its file. */
function takeSnapshot(probeDir: string, pid: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath: path.join(probeDir, `${pid}.snapshot.sock`), path: '/' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve((JSON.parse(body) as { file: string }).file));
      })
      .on('error', reject);
  });
}

function connect(url: string, token: string): Promise<Socket> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false, timeout: 30_000 });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

async function openMany(url: string, tokens: readonly string[], count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      sockets.push(await connect(url, roundRobin(tokens, next++, 'account token')));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, lane));
  return sockets;
}

/** The IM node's entry in a sample of the watched processes (the one process, named 'im'). */
function imOf<T>(sample: Record<string, T>): T {
  const im = sample.im;
  if (im === undefined) throw new Error('no sample of the IM node');
  return im;
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(2)} KB`;
const per = (value: number, n: number): string => (value / n).toFixed(value / n < 10 ? 2 : 0);

/** Growth per connection between two per-key tallies, largest first; `retained` adds the after-snapshot's retained size per instance. */
function printDiff(title: string, before: Map<string, ClassTotals>, after: Map<string, ClassTotals>, n: number, retained: boolean): void {
  const zero: ClassTotals = { count: 0, selfBytes: 0, retainedBytes: 0 };
  const rows = [...new Set([...before.keys(), ...after.keys()])].map((name) => {
    const b = before.get(name) ?? zero;
    const a = after.get(name) ?? zero;
    return { name, count: a.count - b.count, self: a.selfBytes - b.selfBytes, retainedEach: a.count ? a.retainedBytes / a.count : 0 };
  });
  rows.sort((x, y) => Math.abs(y.self) - Math.abs(x.self));
  const total = rows.reduce((s, r) => s + r.self, 0);
  process.stdout.write(`\n${title}: ${kb(total / n)} per connection, top ${TOP_ROWS}\n`);
  process.stdout.write(`${''.padEnd(60)} ${'count/conn'.padStart(10)} ${'self B/conn'.padStart(11)} ${retained ? 'retained B/each'.padStart(15) : ''}\n`);
  for (const r of rows.slice(0, TOP_ROWS)) {
    const each = retained && r.count >= n / 2 ? Math.round(r.retainedEach).toString().padStart(15) : '';
    process.stdout.write(`${r.name.slice(0, 60).padEnd(60)} ${per(r.count, n).padStart(10)} ${per(r.self, n).padStart(11)} ${each}\n`);
  }
}

function printExplained(snapshot: HeapSnapshot): void {
  for (const name of EXPLAINED) {
    const parts = snapshot.explain(name);
    if (parts.length === 0) continue;
    process.stdout.write(`\nretained by a typical ${name} (self / retained bytes):\n`);
    for (const p of parts) {
      const label = p.depth === 0 ? p.className : `${p.edge}: ${p.className}`;
      process.stdout.write(`${'  '.repeat(p.depth + 1)}${label.slice(0, 70)}  ${p.selfBytes} / ${p.retainedBytes}\n`);
    }
  }
}

/**
 * Accounts with one active sign-in each, written straight into the cluster's
 * database (no argon2 per account): a node admits a socket only for a token
 * whose session exists.
 */
async function signedInUsers(
  mysqlUrl: string,
  count: number,
  tokenOf: (userId: string, username: string, sessionId: string) => string,
): Promise<string[]> {
  const store = new MysqlStore({ url: mysqlUrl });
  const ids = createUlidGenerator();
  const tokens: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const [userId, sessionId, username, now] = [ids.next(), ids.next(), `heap${i}`, Date.now()];
      await store.createUser({ id: userId, username, displayName: username, passwordHash: '-', createdAt: now });
      const session = { id: sessionId, userId, refreshHash: sessionId, createdAt: now, expiresAt: now + 86_400_000, userAgent: 'heap-per-connection' };
      await store.createAuthSession({ ...session, passwordHash: '-' });
      tokens.push(tokenOf(userId, username, sessionId));
    }
  } finally {
    await store.close();
  }
  return tokens;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-heap-'));
  log('starting MariaDB, Redis, a gateway and one IM node');
  const cluster = await startCluster({
    nodes: 1,
    ownServices: true,
    name: `heap-${process.pid}`,
    gatewayEnv: { PARLEY_LOG_LEVEL: 'warn' },
    nodeEnv: {
      NODE_OPTIONS: PRELOADS.map((p) => `--require ${p}`).join(' '),
      BENCH_PROBE_DIR: probeDir,
      PARLEY_LOG_LEVEL: 'warn',
      // Production timings, as in the bench.
      PARLEY_HEARTBEAT_MS: '5000',
      PARLEY_PRESENCE_TTL_MS: '15000',
    },
  });
  const snapshots: string[] = [];
  let result: { n: number; heap: number; rss: number };
  try {
    await cluster.waitForHealthyNodes(['im-1']);
    const node = at(cluster.nodes, 0, 'IM node');
    const pid = node.child.pid ?? 0;
    const stats = new ServerStats([{ name: 'im', pid, probed: true }], probeDir);
    // A day: the measurement must not see sockets closed at their token's expiry.
    const issuer = new JwtTokenService({ secret: cluster.jwtSecret, ttlSeconds: 86_400 }, systemClock);
    const tokens = await signedInUsers(cluster.mysqlUrl, args.users, (userId, username, sessionId) =>
      issuer.issue({ userId, username, sessionId }).token,
    );

    if (args.warmup > 0) {
      log(`warm-up: ${args.warmup} connections opened and closed`);
      for (const s of await openMany(node.url, tokens, args.warmup)) s.close();
      await sleep(1500);
    }
    const heapBefore = imOf(await stats.heap());
    const rssBefore = imOf(stats.snapshot()).rssBytes;
    if (args.snapshot) snapshots.push(await takeSnapshot(probeDir, pid));

    log(`opening ${args.connections} connections over ${args.users} accounts`);
    const sockets = await openMany(node.url, tokens, args.connections);
    await sleep(args.settleMs);
    const heapAfter = imOf(await stats.heap());
    const rssAfter = imOf(stats.snapshot()).rssBytes;
    if (args.snapshot) snapshots.push(await takeSnapshot(probeDir, pid));
    for (const s of sockets) s.close();

    const n = sockets.length;
    result = { n, heap: heapAfter.heapUsed - heapBefore.heapUsed, rss: rssAfter - rssBefore };
    log(`heapUsed ${kb(heapBefore.heapUsed)} -> ${kb(heapAfter.heapUsed)}; external +${kb((heapAfter.external - heapBefore.external) / n)}/conn`);
  } finally {
    await cluster.stop();
  }
  process.stdout.write(`connections: ${result.n}\nheapUsed growth per connection: ${kb(result.heap / result.n)} (${Math.round(result.heap / result.n)} B)\n`);
  process.stdout.write(`RSS growth per connection: ${kb(result.rss / result.n)}\n`);
  const [beforeFile, afterFile] = snapshots;
  if (beforeFile !== undefined && afterFile !== undefined) {
    log('reading heap snapshots (dominator trees take a while)');
    const before = new HeapSnapshot(beforeFile);
    const after = new HeapSnapshot(afterFile);
    printDiff('snapshot growth by class', before.byClass(), after.byClass(), result.n, true);
    printDiff('snapshot growth by owning object and field', before.chargeTo(OWNERS), after.chargeTo(OWNERS), result.n, false);
    printExplained(after);
    for (const name of args.retainers) {
      process.stdout.write(`\nwhat holds a typical ${name}:\n${after.retainersOf(name).map((r) => `  ${r}\n`).join('')}`);
    }
  }
  if (args.keep) log(`snapshots kept in ${probeDir}`);
  else fs.rmSync(probeDir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`heap-per-connection failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
