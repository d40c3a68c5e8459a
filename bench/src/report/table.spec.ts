import type { LatencySummary } from '../load/histogram';
import type { StepResult } from '../scenarios/common';
import type { S2Result } from '../scenarios/s2-direct';
import type { S4Result } from '../scenarios/s4-sync';
import { checkTargets, roundTripsPerMessage, type BenchReport } from './table';

const latency = (p99Ms: number): LatencySummary => ({ count: 100, p50Ms: p99Ms / 4, p99Ms, p999Ms: p99Ms, maxMs: p99Ms, meanMs: p99Ms / 3 });

function step(target: 'parley' | 'baseline', rate: number, o: { perCpu: number; p99Ms: number; saturated?: boolean; frames?: number }): StepResult {
  return {
    stepId: `s2-${target}-${rate}`,
    target,
    offeredRate: rate,
    sent: rate * 10,
    acked: rate * 10,
    unacked: 0,
    errors: {},
    saturated: o.saturated ?? false,
    ackedPerSec: rate,
    deliveries: rate * 10,
    remoteDeliveries: rate * 10,
    deliveredPerSec: rate,
    deliveriesPerSec: rate,
    latency: latency(o.p99Ms),
    ack: latency(o.p99Ms),
    serverCpuSeconds: (rate * 10) / o.perCpu,
    storeCpuSeconds: 1,
    deliveriesPerServerCpuSecond: o.perCpu,
    deliveriesPerCpuSecondInclStores: o.perCpu / 2,
    cpuByProcess: {},
    systemCpuByProcess: {},
    relay: target === 'parley' ? { publishMessageNew: 1, deliverMessageNew: 1, framesPerMessagePerRemoteNode: o.frames ?? 1 } : undefined,
  };
}

const s2 = (target: 'parley' | 'baseline', steps: StepResult[]): S2Result => ({ target, users: 2000, pairs: 1000, steps, skippedRates: [], sessionsFailed: 0 });

function report(parts: Partial<BenchReport>): BenchReport {
  return {
    command: 'test',
    mode: 'full',
    startedAt: '2026-12-04T00:00:00Z',
    durationSeconds: 1,
    machine: { cpuModel: 'test', cores: 2, memoryGiB: 1, node: 'v20', os: 'linux', loadAverageAtStart: [0, 0, 0] },
    setup: {},
    targets: [],
    ...parts,
  };
}

const verdict = (r: BenchReport, prefix: string) => {
  const check = checkTargets(r).find((c) => c.target.startsWith(prefix));
  if (!check) throw new Error(`no target starting "${prefix}"`);
  return check;
};

describe('issue 16 targets, checked against the baseline of the same run', () => {
  it('meets S2 only when every step the baseline sustained is within 0.8x efficiency and 2x p99', () => {
    const baseline = s2('baseline', [step('baseline', 500, { perCpu: 1000, p99Ms: 20 }), step('baseline', 1000, { perCpu: 2000, p99Ms: 20 })]);
    const good = report({ s2: s2('parley', [step('parley', 500, { perCpu: 900, p99Ms: 30 }), step('parley', 1000, { perCpu: 1700, p99Ms: 40 })]), baseline: { s2: baseline } });
    expect(verdict(good, 'S2: >= 0.8x').met).toBe(true);
    expect(verdict(good, 'S2: p99 <= 2x').met).toBe(true);
    expect(verdict(good, 'S2: sustains').met).toBe(true);

    const slow = report({ s2: s2('parley', [step('parley', 500, { perCpu: 900, p99Ms: 30 }), step('parley', 1000, { perCpu: 1500, p99Ms: 41 })]), baseline: { s2: baseline } });
    expect(verdict(slow, 'S2: >= 0.8x')).toMatchObject({ met: false, figure: '0.90x, 0.75x' });
    expect(verdict(slow, 'S2: p99 <= 2x')).toMatchObject({ met: false, figure: '1.50x, 2.05x' });
  });

  it('counts a step Parley skipped after saturating as not met, and compares sustained rates', () => {
    const baseline = s2('baseline', [step('baseline', 500, { perCpu: 1000, p99Ms: 20 }), step('baseline', 1000, { perCpu: 2000, p99Ms: 20 })]);
    const r = report({ s2: s2('parley', [step('parley', 500, { perCpu: 900, p99Ms: 30, saturated: true })]), baseline: { s2: baseline } });
    expect(verdict(r, 'S2: >= 0.8x')).toMatchObject({ met: false, figure: '0.90x, not run' });
    expect(verdict(r, 'S2: sustains')).toMatchObject({ met: false, figure: '0 vs 1,000 msgs/s' });
  });

  it('finds a silent loss in any unsaturated step, and ignores a saturated one', () => {
    const lossy = report({ s2: s2('parley', [step('parley', 500, { perCpu: 900, p99Ms: 30, frames: 0.99 })]) });
    expect(verdict(lossy, 'No silent loss').met).toBe(false);
    const saturatedOnly = report({ s2: s2('parley', [step('parley', 500, { perCpu: 900, p99Ms: 30 }), step('parley', 5000, { perCpu: 900, p99Ms: 3000, saturated: true, frames: 0.7 })]) });
    expect(verdict(saturatedOnly, 'No silent loss').met).toBe(true);
  });

  it('judges the storm only at the 5,000 sessions the target names', () => {
    const storm = (clients: number, seconds: number, synced = clients, errors: Record<string, number> = {}): S4Result => ({
      backlogs: [],
      storm: { clients, connected: clients, synced, errors, allConnectedSeconds: seconds, allSyncedSeconds: seconds, reconnectsPerSec: clients / seconds, connect: latency(1), sync: latency(1) },
    });
    expect(verdict(report({ s4: storm(5000, 9.5) }), 'S4: 5,000').met).toBe(true);
    expect(verdict(report({ s4: storm(5000, 10.2) }), 'S4: 5,000').met).toBe(false);
    expect(verdict(report({ s4: storm(5000, 6, 4999) }), 'S4: 5,000').met).toBe(false);
    // A session that could not catch up before the drop synced from further back: not the storm the target names.
    expect(verdict(report({ s4: storm(5000, 6, 5000, { 'catch-up:TIMEOUT': 1 }) }), 'S4: 5,000').met).toBe(false);
    expect(verdict(report({ s4: storm(400, 1) }), 'S4: 5,000').met).toBeNull();
  });
});

describe('round trips per message', () => {
  it('sums the system’s own server processes, leaves its datastores and the other system out, and divides by messages sent', () => {
    const s = {
      ...step('parley', 100, { perCpu: 500, p99Ms: 20 }),
      ioSyscallsByProcess: { 'parley:gateway': 1700, 'parley:im-1': 2800, 'parley:im-2': 2700, 'parley-store:mariadb': 9000, 'baseline:node-1': 500 },
      wakeupsByProcess: { 'parley:gateway': 1500, 'parley:im-1': 2500, 'parley:im-2': 2500, 'parley-store:mariadb': 7000, 'baseline:node-1': 400 },
    };
    expect(roundTripsPerMessage(s)).toEqual({ ioSyscalls: 7.2, wakeups: 6.5 });
  });

  it('gives nothing for a step without counts, with an unreadable count, or that sent nothing', () => {
    const base = step('baseline', 100, { perCpu: 500, p99Ms: 20 });
    expect(roundTripsPerMessage(base)).toBeUndefined();
    expect(roundTripsPerMessage({ ...base, ioSyscallsByProcess: { 'baseline:node-1': Number.NaN }, wakeupsByProcess: { 'baseline:node-1': 3 } })).toBeUndefined();
    expect(roundTripsPerMessage({ ...base, sent: 0, ioSyscallsByProcess: { 'baseline:node-1': 3 }, wakeupsByProcess: { 'baseline:node-1': 3 } })).toBeUndefined();
  });
});
