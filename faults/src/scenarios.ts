import { at, type Cluster } from '@parley/testing';
import type { SimUser } from './sim/sim-user';
import { mapLimit, sleep } from './sim/stats';

export const SCENARIO_NAMES = ['kill9', 'drain', 'gateway-restart', 'redis-restart', 'mysql-outage', 'group-50'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Durations of a scenario's phases. */
export interface Timing {
  /** Traffic before the fault. */
  warmupMs: number;
  /** How long a killed node / restarted gateway stays down. */
  downMs: number;
  /** How long MySQL stays stopped (the issue asks for 10–20 s). */
  mysqlOutageMs: number;
  /** Traffic after the fault is over. */
  afterMs: number;
}

export interface FaultContext {
  cluster: Cluster;
  users: readonly SimUser[];
  timing: Timing;
  log: (line: string) => void;
  /** These users lose their connection to the fault and must reconnect. */
  expectReconnect(users: readonly SimUser[]): void;
  /** Something the scenario checked itself went wrong (reported, fails the scenario). */
  problem(text: string): void;
}

export interface ScenarioSpec {
  name: ScenarioName;
  gateways: number;
  /** mixed: 1:1 + group traffic at a bounded rate; group-burst: 50 concurrent senders to one group. */
  workload: 'mixed' | 'group-burst';
  /** Runs while traffic flows; resolves once the fault is over. */
  inject(ctx: FaultContext): Promise<void>;
}

const usersOn = (ctx: FaultContext, nodeId: string): SimUser[] => ctx.users.filter((u) => u.client.nodeId === nodeId);

export const SCENARIOS: Record<ScenarioName, ScenarioSpec> = {
  kill9: {
    name: 'kill9',
    gateways: 1,
    workload: 'mixed',
    async inject(ctx) {
      const victim = at(ctx.cluster.nodes, 1, 'IM node');
      ctx.expectReconnect(usersOn(ctx, victim.nodeId));
      ctx.log(`kill -9 ${victim.nodeId} (${usersOn(ctx, victim.nodeId).length} clients on it)`);
      await ctx.cluster.killNode(1, 'SIGKILL');
      await sleep(ctx.timing.downMs);
      ctx.log(`restarting ${victim.nodeId}`);
      await ctx.cluster.restartNode(1);
    },
  },
  drain: {
    name: 'drain',
    gateways: 1,
    workload: 'mixed',
    async inject(ctx) {
      const victim = at(ctx.cluster.nodes, 2, 'IM node');
      ctx.expectReconnect(usersOn(ctx, victim.nodeId));
      ctx.log(`SIGTERM ${victim.nodeId} (${usersOn(ctx, victim.nodeId).length} clients on it)`);
      const code = await ctx.cluster.drainNode(2);
      if (code !== 0) ctx.problem(`${victim.nodeId} exited with ${code} after draining`);
      ctx.log(`${victim.nodeId} drained and exited`);
    },
  },
  'gateway-restart': {
    name: 'gateway-restart',
    gateways: 2,
    workload: 'mixed',
    async inject(ctx) {
      for (const index of [0, 1]) {
        ctx.log(`restarting gateway ${at(ctx.cluster.gateways, index, 'gateway').gatewayId}`);
        await ctx.cluster.restartGateway(index);
        await ctx.cluster.waitForHealthyNodes(
          ctx.cluster.nodes.map((n) => n.nodeId),
          15_000,
          index,
        );
        await sleep(ctx.timing.downMs);
      }
    },
  },
  'redis-restart': {
    name: 'redis-restart',
    gateways: 1,
    workload: 'mixed',
    async inject(ctx) {
      ctx.log('restarting Redis empty on the same port');
      await ctx.cluster.restartRedis();
      // Live nodes re-register their sessions within two heartbeats (1 s each in the harness).
      await sleep(2_500);
      await checkEveryoneOnline(ctx);
    },
  },
  'mysql-outage': {
    name: 'mysql-outage',
    gateways: 1,
    workload: 'mixed',
    async inject(ctx) {
      const mariadb = ctx.cluster.mariadb;
      if (!mariadb) throw new Error('mysql-outage needs a cluster that owns its MariaDB');
      ctx.log(`stopping MariaDB for ${ctx.timing.mysqlOutageMs} ms`);
      await mariadb.halt('SIGTERM');
      await sleep(ctx.timing.mysqlOutageMs);
      await mariadb.start();
      ctx.log('MariaDB is back with the same data');
    },
  },
  'group-50': {
    name: 'group-50',
    gateways: 1,
    workload: 'group-burst',
    async inject() {
      // No fault: the load is the test (50 senders racing for one group's seq).
    },
  },
};

/**
 * Asks the cluster whether every simulated user counts as online. Each user
 * asks about itself: presence:query answers only about people the asker may
 * see, and a user always sees itself.
 */
async function checkEveryoneOnline(ctx: FaultContext): Promise<void> {
  const answers = await mapLimit(ctx.users, 20, async (u) => {
    const { presence } = await u.client.command('presence:query', { userIds: [u.id] });
    return presence.some((p) => p.userId === u.id && p.online);
  });
  const offline = answers.filter((online) => !online).length;
  if (offline > 0) ctx.problem(`${offline} connected users not online 2.5 s after the Redis restart`);
  else ctx.log('every user online again after the Redis restart');
}
