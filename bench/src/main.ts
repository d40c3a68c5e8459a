/**
 * `npm run bench [-- --quick] [--only S1,S2,...] [--no-baseline] [--profile] [--out FILE]
 *   [--nodes N] [--gateways G] [--workers W] [--connections C] [--source-addresses K]`
 *
 * Starts a real cluster (MariaDB, Redis, Consul simulator, G gateways, N IM
 * nodes) and the plain Socket.IO + redis-adapter baseline (N nodes), drives
 * them with W load-generator worker processes, prints a table and writes
 * every figure to a JSON file (default bench/results/latest-<mode>.json).
 * See bench/README.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FULL, QUICK, type BenchConfig } from './config';
import { befriendPairs, refreshStaleTokens, registerUsers } from './env/parley-api';
import type { ParleyFleet } from './env/parley-fleet';
import { checkConnectionPlan } from './env/preflight';
import { startEnvironment } from './env/services';
import { WorkerPool } from './load/pool';
import { MAX_SOURCE_ADDRESSES } from './load/source-address';
import { summarizeProfile } from './report/profile';
import { checkTargets, renderReport, type BenchReport } from './report/table';
import { pairUp, round, roundRobin, type BenchContext, type Target } from './scenarios/common';
import { runS1 } from './scenarios/s1-idle';
import { runS2 } from './scenarios/s2-direct';
import { runS3 } from './scenarios/s3-fanout';
import { runS4 } from './scenarios/s4-sync';
import { runS5 } from './scenarios/s5-persist';
import { runS6 } from './scenarios/s6-fleet';
import { runS7 } from './scenarios/s7-big-group';

/** What the default run includes; S6 and S7 are asked for with --only (see bench/README.md for why). */
const DEFAULT_SCENARIOS = ['S1', 'S2', 'S3', 'S4', 'S5'];
const ALL_SCENARIOS = [...DEFAULT_SCENARIOS, 'S6', 'S7'];

interface Args {
  quick: boolean;
  only: Set<string>;
  baseline: boolean;
  profile: boolean;
  /** Steps to profile instead of the default ones (`--profile-steps s2-parley-500,s3-parley-100`). */
  profileSteps?: string[];
  out?: string;
  /** IM nodes (and baseline nodes). */
  nodes: number;
  gateways: number;
  workers?: number;
  /** S1's target, instead of the mode's. */
  connections?: number;
  sourceAddresses: number;
}

function positiveInt(flag: string, v: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${flag} must be a whole number from 1 to ${max}, got ${v}`);
  return n;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, only: new Set(DEFAULT_SCENARIOS), baseline: true, profile: false, nodes: 2, gateways: 1, sourceAddresses: 40 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') args.quick = true;
    else if (a === '--no-baseline') args.baseline = false;
    else if (a === '--profile') args.profile = true;
    else if (a === '--profile-steps') {
      args.profile = true;
      args.profileSteps = value().split(',');
    }
    else if (a === '--only') {
      args.only = new Set(value().toUpperCase().split(','));
      const unknown = [...args.only].filter((x) => !ALL_SCENARIOS.includes(x));
      if (unknown.length > 0) throw new Error(`--only: unknown scenario(s) ${unknown.join(', ')}; known: ${ALL_SCENARIOS.join(', ')}`);
    }
    else if (a === '--out') args.out = value();
    else if (a === '--nodes') {
      args.nodes = positiveInt(a, value());
      if (args.nodes < 2) throw new Error('--nodes must be 2 or more: S2 pairs and S3 rooms are measured across nodes');
    }
    else if (a === '--gateways') args.gateways = positiveInt(a, value());
    else if (a === '--workers') args.workers = positiveInt(a, value());
    else if (a === '--connections') args.connections = positiveInt(a, value());
    else if (a === '--source-addresses') args.sourceAddresses = positiveInt(a, value(), MAX_SOURCE_ADDRESSES);
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

/** The mode's sizes with the command line's overrides. */
function configFor(args: Args): BenchConfig {
  const base = args.quick ? QUICK : FULL;
  return {
    ...base,
    workers: args.workers ?? base.workers,
    s1: { ...base.s1, connections: args.connections ?? base.s1.connections },
  };
}

/** How Parley sessions are opened on the fleet as it runs now (its nodes change when S6 restarts it). */
function parleyTarget(fleet: ParleyFleet): Target {
  const nodeUrls = fleet.nodeUrls;
  return {
    name: 'parley',
    nodeUrls,
    serverPrefixes: ['parley:'],
    storePrefixes: ['parley-store:'],
    session: (user, node, key) => ({ key, userId: user.id, url: roundRobin(nodeUrls, node, 'Parley node URL'), auth: { token: user.token } }),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cfg = configFor(args);
  const started = Date.now();
  const log = (msg: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
  const machine = {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg(),
  };
  if (args.only.has('S1')) {
    // Before anything starts: a machine not set up for the target fails here, in words, not with EMFILE mid-ramp.
    const check = await checkConnectionPlan({
      connections: cfg.s1.connections,
      nodes: args.nodes,
      workers: cfg.workers,
      sourceAddresses: args.sourceAddresses,
      connectConcurrency: cfg.connectConcurrency,
    });
    for (const w of check.warnings) log(`preflight warning: ${w}`);
    if (check.errors.length > 0) throw new Error(`preflight: this machine is not set up for S1 with ${cfg.s1.connections} connections:\n  - ${check.errors.join('\n  - ')}`);
  }
  const env = await startEnvironment({ nodes: args.nodes, gateways: args.gateways }, log);
  const pool = new WorkerPool(cfg.workers, args.sourceAddresses);
  let stopping = false;
  const cleanup = async () => {
    if (stopping) return;
    stopping = true;
    pool.stop();
    await env.stop();
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanup().then(() => process.exit(143)));
  try {
    const gatewayUrl = env.fleet.gatewayUrl;
    log(`registering ${cfg.users} accounts through the REST API (${cfg.registerConcurrency} at a time)`);
    const regStart = Date.now();
    const users = await registerUsers(gatewayUrl, cfg.users, cfg.registerConcurrency, Date.now().toString(36));
    const registerSeconds = (Date.now() - regStart) / 1000;
    // S2 and S5 send 1:1 between neighbours (0-1, 2-3, …): befriend them.
    const pairs = pairUp(users.slice(0, Math.max(cfg.s2.users, cfg.s5.senders)));
    const friendship = await befriendPairs(roundRobin(env.fleet.nodeUrls, 0, 'Parley node URL'), pairs, 16);
    log(`setup: ${users.length} accounts in ${registerSeconds.toFixed(1)} s; friendships: ${friendship}`);

    const parley = parleyTarget(env.fleet);
    const baseline: Target = {
      name: 'baseline',
      nodeUrls: env.baselineNodeUrls,
      serverPrefixes: ['baseline:'],
      storePrefixes: ['baseline-store:'],
      session: (user, node, key, groups) => ({ key, userId: user.id, url: roundRobin(env.baselineNodeUrls, node, 'baseline node URL'), auth: { userId: user.id, groups: groups ?? [] } }),
    };
    // CPU-profiled with --profile: S2's last rate but one (its only rate if it has one), S3's last room and S5.
    const profileSteps = new Set<string>();
    if (args.profileSteps) for (const step of args.profileSteps) profileSteps.add(step);
    else if (args.profile) {
      const rate = cfg.s2.rates.at(-2) ?? cfg.s2.rates.at(0);
      const room = cfg.s3.rooms.at(-1);
      if (rate !== undefined) profileSteps.add(`s2-parley-${rate}`);
      if (room) profileSteps.add(`s3-parley-${room.members}`);
      profileSteps.add('s5-parley');
    }
    const ctx: BenchContext = {
      cfg,
      pool,
      stats: env.stats,
      relay: env.fleet,
      gatewayUrl,
      users,
      parley,
      baseline,
      log,
      profileSteps,
      profiles: {},
    };
    const report: BenchReport = {
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, ''),
      mode: cfg.mode,
      startedAt: new Date(started).toISOString(),
      durationSeconds: 0,
      machine,
      setup: {
        config: cfg,
        accounts: users.length,
        registerSeconds: round(registerSeconds, 1),
        friendships: friendship,
        loadGeneratorWorkers: cfg.workers,
        imNodes: args.nodes,
        gateways: args.gateways,
        baselineNodes: args.nodes,
        sourceAddresses: args.sourceAddresses,
        note: 'Server and load generator share the same cores.',
      },
      targets: [],
    };
    // Access tokens live 15 minutes: renewed before each Parley scenario of a long run.
    const fresh = async <T>(scenario: () => Promise<T>): Promise<T> => {
      const renewed = await refreshStaleTokens(ctx.gatewayUrl, ctx.users);
      if (renewed > 0) log(`renewed ${renewed} access tokens`);
      return scenario();
    };
    if (args.only.has('S1')) report.s1 = await fresh(() => runS1(ctx));
    // Parley's and the baseline's steps alternate, so a ratio compares steps taken side by side.
    const compared = args.baseline ? [parley, baseline] : [parley];
    if (args.baseline) report.baseline = {};
    if (args.only.has('S2')) {
      const [own, base] = await fresh(() => runS2(ctx, compared));
      report.s2 = own;
      if (report.baseline) report.baseline.s2 = base;
    }
    if (args.only.has('S3')) {
      const [own, base] = await fresh(() => runS3(ctx, compared));
      report.s3 = own;
      if (report.baseline) report.baseline.s3 = base;
    }
    if (args.only.has('S5')) report.s5 = await fresh(() => runS5(ctx));
    if (args.only.has('S4')) report.s4 = await fresh(() => runS4(ctx));
    if (args.only.has('S7')) report.s7 = await fresh(() => runS7(ctx));
    // Last: it restarts the Parley processes in other shapes.
    if (args.only.has('S6')) {
      report.s6 = await runS6(ctx, async (shape) => {
        await env.restartParley(shape);
        ctx.gatewayUrl = env.fleet.gatewayUrl;
        ctx.parley = parleyTarget(env.fleet);
        await refreshStaleTokens(ctx.gatewayUrl, ctx.users);
        return ctx.parley;
      });
    }
    if (args.profile) {
      const summaries = Object.fromEntries(
        Object.entries(ctx.profiles).map(([step, files]) => [step, Object.fromEntries(Object.entries(files).map(([proc, file]) => [proc, summarizeProfile(file)]))]),
      );
      report.profiles = summaries;
      const keep = path.resolve(__dirname, '../results/profiles');
      fs.mkdirSync(keep, { recursive: true });
      for (const files of Object.values(ctx.profiles)) for (const [proc, file] of Object.entries(files)) fs.copyFileSync(file, path.join(keep, `${proc.replace(/[:]/g, '-')}-${path.basename(file)}`));
      // What metrics cost (issue 13: under 3% of CPU per delivered message), per profiled process.
      for (const [step, procs] of Object.entries(summaries)) {
        for (const [proc, summary] of Object.entries(procs)) log(`profile ${step} ${proc}: metrics ${summary.metricsPercentOfBusy}% of busy CPU`);
      }
    }
    report.durationSeconds = round((Date.now() - started) / 1000, 1);
    report.targets = checkTargets(report);
    const text = renderReport(report);
    process.stdout.write(`${text}\n`);
    const out = args.out ?? path.resolve(__dirname, `../results/latest-${cfg.mode}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(report, null, 2));
    fs.writeFileSync(out.replace(/\.json$/, '.md'), `${text}\n`);
    log(`wrote ${path.relative(process.cwd(), out)}`);
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
