import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuOf, sampleProc, usageBetween, type ProcSample } from './proc-stats';

function burnCpu(ms: number): void {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  expect(x).toBeGreaterThan(0);
}

describe('bench process statistics', () => {
  it('reads this process’s CPU, its kernel share and its RSS from /proc', () => {
    const before = sampleProc(process.pid);
    burnCpu(300);
    const after = sampleProc(process.pid);
    expect(after.cpuSeconds).toBeGreaterThan(before.cpuSeconds);
    expect(after.systemSeconds).toBeGreaterThanOrEqual(0);
    expect(after.systemSeconds).toBeLessThanOrEqual(after.cpuSeconds);
    expect(after.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('counts this process’s read/write syscalls and its main thread’s wake-ups', async () => {
    const before = sampleProc(process.pid);
    const file = path.join(os.tmpdir(), `parley-proc-stats-${process.pid}`);
    for (let i = 0; i < 50; i++) fs.writeFileSync(file, 'x');
    fs.rmSync(file);
    // Each timer the thread sleeps for is one wake-up. A thread preempted past a timer's
    // deadline before it sleeps does not sleep for that one: ask for half.
    for (let i = 0; i < 30; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const after = sampleProc(process.pid);
    expect(after.ioSyscalls - before.ioSyscalls).toBeGreaterThanOrEqual(50);
    expect(after.wakeups - before.wakeups).toBeGreaterThanOrEqual(15);
  });

  it('takes differences per process and sums them by name prefix', () => {
    const sample = (cpu: number, sys: number): ProcSample => ({ cpuSeconds: cpu, systemSeconds: sys, rssBytes: 1, ioSyscalls: cpu * 10, wakeups: cpu * 100 });
    const before = { 'parley:im-1': sample(1, 0.1), 'parley:gateway': sample(2, 0.2), 'baseline:node-1': sample(5, 1) };
    const after = { 'parley:im-1': sample(4, 0.6), 'parley:gateway': sample(2.5, 0.3), 'baseline:node-1': sample(9, 2), 'parley:im-2': sample(1, 0) };
    const usage = usageBetween(before, after);
    expect(usage['parley:im-1']).toEqual({ cpuSeconds: 3, systemSeconds: 0.5, rssBytes: 1, ioSyscalls: 30, wakeups: 300 });
    // A process missing from the first sample has no difference: NaN, never a made-up 0.
    expect(usage['parley:im-2']?.cpuSeconds).toBeNaN();
    expect(cpuOf({ 'parley:im-1': usage['parley:im-1'] as ProcSample, 'parley:gateway': usage['parley:gateway'] as ProcSample }, ['parley:'])).toBeCloseTo(3.5);
    expect(cpuOf(usage, ['baseline:'])).toBeCloseTo(4);
  });
});
