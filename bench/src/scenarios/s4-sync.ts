import { sampleProc, usageBetween } from '../env/proc-stats';
import { command, connectAs, createGroup, registerUsers, type BenchUser } from '../env/parley-api';
import { mergeEncoded, newHistogram, nowMs, recordMs, summarize, type LatencySummary } from '../load/histogram';
import type { StormResult } from '../load/protocol';
import { closeAll, openSessions, pairUp, round, roundRobin, sleep, sum, type BenchContext, type Placement } from './common';

export interface BacklogResult {
  messages: number;
  reps: number;
  fillMsgsPerSec: number;
  /** From connect() to the last page of the backlog in hand. */
  connectAndSync: LatencySummary;
  /** From the first sync request to the last page. */
  syncOnly: LatencySummary;
  pages: number;
}

export interface StormSummary {
  clients: number;
  connected: number;
  synced: number;
  errors: Record<string, number>;
  allConnectedSeconds: number;
  allSyncedSeconds: number;
  reconnectsPerSec: number;
  connect: LatencySummary;
  sync: LatencySummary;
  /** CPU seconds of each process during the storm, the load generator's workers summed as `loadgen` (absent in older result files). */
  cpuByProcess?: Record<string, number>;
}

export interface S4Result {
  backlogs: BacklogResult[];
  storm: StormSummary;
}

type SyncAck = { conversations: { conversationId: string; messages: { seq: number }[]; hasMore: boolean }[] };

/** S4 offline sync: backlogs synced on reconnect, then a reconnect storm. */
export async function runS4(ctx: BenchContext): Promise<S4Result> {
  const t = ctx.parley;
  const backlogs: BacklogResult[] = [];
  const fresh = await registerUsers(ctx.gatewayUrl, ctx.cfg.s4.backlogs.length * 2, 4, `s4${Date.now().toString(36)}`);
  // A sender and a reader per backlog.
  const pairs = pairUp(fresh);
  const setupUrl = roundRobin(t.nodeUrls, 0, 'node URL');
  for (const [i, cfg] of ctx.cfg.s4.backlogs.entries()) {
    const pair = pairs[i];
    if (!pair) throw new Error(`S4: no accounts registered for backlog ${i}`);
    const [sender, reader] = pair;
    const { groupId } = await createGroup(setupUrl, sender, [reader], `s4-${cfg.messages}`);
    const conversationId = `g:${groupId}`;
    ctx.log(`S4: filling a backlog of ${cfg.messages}`);
    const fillMsgsPerSec = await fill(setupUrl, sender, groupId, cfg.messages);
    const total = newHistogram();
    const syncOnly = newHistogram();
    let pages = 0;
    for (let rep = 0; rep < cfg.reps; rep++) {
      const t0 = nowMs();
      const socket = await connectAs(roundRobin(t.nodeUrls, rep, 'node URL'), reader.token);
      const t1 = nowMs();
      let after = 0;
      let got = 0;
      pages = 0;
      for (;;) {
        const res = await command<SyncAck>(socket, 'sync', { since: { [conversationId]: after }, limit: 500 });
        pages++;
        const conv = res.conversations.find((c) => c.conversationId === conversationId);
        const last = conv?.messages.at(-1);
        if (!conv || !last) break;
        got += conv.messages.length;
        after = last.seq;
        if (!conv.hasMore) break;
      }
      const t2 = nowMs();
      socket.close();
      if (got !== cfg.messages) throw new Error(`S4: synced ${got} of ${cfg.messages}`);
      recordMs(total, t2 - t0);
      recordMs(syncOnly, t2 - t1);
    }
    backlogs.push({ messages: cfg.messages, reps: cfg.reps, fillMsgsPerSec: round(fillMsgsPerSec), connectAndSync: summarize(total), syncOnly: summarize(syncOnly), pages });
  }
  return { backlogs, storm: await storm(ctx) };
}

/** Sends `count` messages as fast as a client with 32 in flight can (closed loop). */
async function fill(url: string, sender: BenchUser, groupId: string, count: number): Promise<number> {
  const socket = await connectAs(url, sender.token);
  const started = nowMs();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) {
        const n = next++;
        await command(socket, 'message:send', { to: { type: 'group', id: groupId }, clientMsgId: `fill.${groupId}.${n}`, kind: 'text', body: { text: `backlog ${n}` } });
      }
    }),
  );
  const rate = count / ((nowMs() - started) / 1000);
  socket.close();
  return rate;
}

async function storm(ctx: BenchContext): Promise<StormSummary> {
  const t = ctx.parley;
  const n = ctx.cfg.s4.stormClients;
  const specs = Array.from({ length: n }, (_, i) => t.session(roundRobin(ctx.users, i, 'account'), i % t.nodeUrls.length, `s4.storm.${i}`));
  const placement: Placement = new Map();
  ctx.log(`S4: opening ${n} sessions for the reconnect storm`);
  await openSessions(ctx, specs, placement);
  // Up to date before the drop, as clients online all along are. Without it a
  // session opened just now syncs from its delivered cursor (the bench never
  // acks deliveries): a first page of every conversation the earlier scenarios
  // filled, a storm of new devices whose cost depended on what ran before
  // (10.6 s after S1-S3, 5-7 s alone, with MariaDB at 4.4 CPU-s against 0.3).
  const caughtUp = await ctx.pool.all<{ errors: Record<string, number> }>({ op: 'catch-up', concurrency: 200 });
  await sleep(2000);
  ctx.log('S4: reconnect storm');
  const profiling = ctx.profileSteps.has('s4-storm');
  if (profiling) await ctx.stats.startProfiles('parley:');
  const before = ctx.stats.snapshot();
  const loadgenBefore = loadgenCpu(ctx);
  const results = await ctx.pool.all<StormResult>({ op: 'storm', concurrency: 5000, syncLimit: 50 });
  const usage = usageBetween(before, ctx.stats.snapshot());
  const cpuByProcess = { ...Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, round(v.cpuSeconds, 2)])), loadgen: round(loadgenCpu(ctx) - loadgenBefore, 2) };
  if (profiling) ctx.profiles['s4-storm'] = await ctx.stats.stopProfiles('parley:');
  await closeAll(ctx, placement);
  const errors: Record<string, number> = {};
  // A session that missed its catch-up is reported with the storm's errors (its sync was heavier).
  for (const r of [...caughtUp, ...results]) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  const connected = sum(results.map((r) => r.connected));
  const allConnected = Math.max(...results.map((r) => r.allConnectedMs));
  return {
    clients: n,
    connected,
    synced: sum(results.map((r) => r.synced)),
    errors,
    allConnectedSeconds: round(allConnected / 1000, 2),
    allSyncedSeconds: round(Math.max(...results.map((r) => r.allSyncedMs)) / 1000, 2),
    reconnectsPerSec: round(connected / (allConnected / 1000)),
    connect: summarize(mergeEncoded(results.map((r) => r.connect))),
    sync: summarize(mergeEncoded(results.map((r) => r.sync))),
    cpuByProcess,
  };
}

/** CPU seconds so far of the load generator's workers (they share the box with the servers). */
function loadgenCpu(ctx: BenchContext): number {
  return sum(ctx.pool.pids().map((pid) => sampleProc(pid).cpuSeconds));
}
