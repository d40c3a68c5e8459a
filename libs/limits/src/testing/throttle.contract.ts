import { randomBytes } from 'node:crypto';
import type { ThrottleFactory } from '@parley/domain';

export interface ThrottleHarness {
  factory: ThrottleFactory;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** A throttle name no other test (or earlier run on the same Redis) uses. */
const uniqueName = (label: string): string => `${label}-${randomBytes(4).toString('hex')}`;

/** The behaviour every ThrottleFactory engine must have; run it from each engine's spec. */
export function describeThrottleContract(engine: string, open: () => Promise<ThrottleHarness>): void {
  describe(`Throttle contract (${engine})`, () => {
    let harness: ThrottleHarness;
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(() => harness.close());

    const throttle = (points: number, durationSec = 60) => harness.factory.create({ name: uniqueName('t'), points, durationSec });

    it('grants the window points, then refuses with how long to wait', async () => {
      const t = throttle(3);
      for (let i = 1; i <= 3; i++) await expect(t.consume('k')).resolves.toEqual({ ok: true, consumed: i });
      const refusal = await t.consume('k');
      expect(refusal).toMatchObject({ ok: false, consumed: 3 });
      expect(refusal.ok ? 0 : refusal.retryAfterMs).toBeGreaterThan(0);
      expect(refusal.ok ? Infinity : refusal.retryAfterMs).toBeLessThanOrEqual(60_000);
      // Other keys have their own points.
      await expect(t.consume('other')).resolves.toEqual({ ok: true, consumed: 1 });
    });

    it('counts 100 parallel consumes of a 10-point key exactly: 10 granted, 90 refused', async () => {
      const t = throttle(10);
      const decisions = await Promise.all(Array.from({ length: 100 }, () => t.consume('race')));
      expect(decisions.filter((d) => d.ok)).toHaveLength(10);
      expect(decisions.filter((d) => !d.ok)).toHaveLength(90);
      // Refused consumes took nothing: one refund makes room for exactly one more.
      await t.refund('race');
      const after = await Promise.all(Array.from({ length: 5 }, () => t.consume('race')));
      expect(after.filter((d) => d.ok)).toHaveLength(1);
    });

    it('takes several points at once and refuses a consume that does not fit, taking none of it', async () => {
      const t = throttle(5);
      await expect(t.consume('k', 4)).resolves.toEqual({ ok: true, consumed: 4 });
      await expect(t.consume('k', 2)).resolves.toMatchObject({ ok: false, consumed: 4 });
      await expect(t.consume('k', 1)).resolves.toEqual({ ok: true, consumed: 5 });
    });

    it('refunds points taken, never below zero and never for a key that holds nothing', async () => {
      const t = throttle(2);
      await t.refund('fresh', 5); // nothing taken: must not become a credit
      await t.consume('fresh');
      await t.consume('fresh');
      await expect(t.consume('fresh')).resolves.toMatchObject({ ok: false });
      await t.refund('fresh', 1);
      await expect(t.consume('fresh')).resolves.toEqual({ ok: true, consumed: 2 });
      await t.refund('fresh', 10);
      await expect(t.consume('fresh')).resolves.toEqual({ ok: true, consumed: 1 });
    });

    it('forgets a key on reset', async () => {
      const t = throttle(1);
      await t.consume('k');
      await expect(t.consume('k')).resolves.toMatchObject({ ok: false });
      await t.reset('k');
      await expect(t.consume('k')).resolves.toEqual({ ok: true, consumed: 1 });
      await t.reset('never-seen');
    });

    it('peeks at what a key holds without taking anything', async () => {
      const t = throttle(3);
      await expect(t.peek('k')).resolves.toBe(0);
      await t.consume('k', 2);
      await expect(t.peek('k')).resolves.toBe(2);
      await expect(t.peek('k')).resolves.toBe(2);
      await t.reset('k');
      await expect(t.peek('k')).resolves.toBe(0);
    });

    it('never lets a refund erase a consume that ran while it was under way', async () => {
      const t = throttle(100);
      for (let round = 0; round < 20; round++) {
        const key = `k${round}`;
        await t.consume(key);
        // A refund of the one point taken, with consumes issued while it runs: none of them may be lost.
        await Promise.all([t.refund(key), t.consume(key), t.consume(key)]);
        await expect(t.peek(key)).resolves.toBe(2);
      }
    });

    it('keeps throttles of different names apart', async () => {
      const a = throttle(1);
      const b = throttle(1);
      await a.consume('k');
      await expect(b.consume('k')).resolves.toEqual({ ok: true, consumed: 1 });
    });

    it('opens a window of the length a consume asks for; an open window keeps its end', async () => {
      const gate = throttle(1, 1);
      await expect(gate.consume('long', 1, { windowSec: 120 })).resolves.toMatchObject({ ok: true });
      const long = await gate.consume('long', 1, { windowSec: 1 });
      expect(long.ok).toBe(false);
      expect(long.ok ? 0 : long.retryAfterMs).toBeGreaterThan(60_000);

      await gate.consume('short', 1, { windowSec: 1 });
      const short = await gate.consume('short', 1, { windowSec: 120 });
      expect(short.ok ? Infinity : short.retryAfterMs).toBeLessThanOrEqual(1_000);
    });

    it('grants again once the wait it announced is over', async () => {
      const t = throttle(1, 1);
      await t.consume('k');
      const refusal = await t.consume('k');
      if (refusal.ok) throw new Error('expected a refusal');
      await sleep(refusal.retryAfterMs + 50);
      await expect(t.consume('k')).resolves.toEqual({ ok: true, consumed: 1 });
    });

    it('refuses points that are not a positive integer', async () => {
      const t = throttle(5);
      await expect(t.consume('k', 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(t.consume('k', 1.5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(t.refund('k', -1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });
  });
}
