import type { Clock, Presence } from '@parley/domain';
import { must } from '@parley/util';

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  constructor(private time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

export interface PresenceHarness {
  presence: Presence;
  /** The clock the engine was given; lastSeenAt values are its readings. */
  clock: ManualClock;
  /** TTL for nodes that must expire during a test; advance(2 * shortTtlMs) outlives it. */
  shortTtlMs: number;
  /** Lets `ms` pass for node liveness and advances `clock` by as much. */
  advance(ms: number): Promise<void>;
  /** Loses all presence data, like a Redis restart without persistence. Optional. */
  wipe?(): Promise<void>;
  /** Releases the engine and anything the harness created. */
  close(): Promise<void>;
}

/** Long enough never to lapse during a test, even against a real Redis. */
const LONG_TTL = 60_000;
const sorted = (xs: string[]): string[] => [...xs].sort();

export interface PresenceContractOptions {
  /** Run the data-loss test; the harness must then provide wipe(). @default false */
  wipe?: boolean;
}

/** The behaviour every Presence engine must have; run it from each engine's spec. */
export function describePresenceContract(
  name: string,
  make: () => Promise<PresenceHarness>,
  options: PresenceContractOptions = {},
): void {
  describe(`Presence contract: ${name}`, () => {
    let h: PresenceHarness;
    let p: Presence;

    beforeEach(async () => {
      h = await make();
      p = h.presence;
    });
    afterEach(async () => {
      await h.close();
    });

    const online = async (userId: string): Promise<boolean> => must((await p.query([userId]))[0], 'the queried user').online;
    const expireShortNodes = (): Promise<void> => h.advance(h.shortTtlMs * 2);

    it('answers a ping while it is up', async () => {
      await expect(p.ping()).resolves.toBeUndefined();
    });

    it('reports the first and the last live session of a user across two nodes', async () => {
      await p.heartbeat('A', LONG_TTL);
      await p.heartbeat('B', LONG_TTL);
      expect(await p.addSession('u1', 's1', 'A')).toEqual({ firstSession: true, lastSession: false });
      expect(await p.addSession('u1', 's2', 'B')).toEqual({ firstSession: false, lastSession: false });
      expect(await p.removeSession('u1', 's1', 'A')).toEqual({ firstSession: false, lastSession: false });
      expect(await online('u1')).toBe(true);
      expect(await p.removeSession('u1', 's2', 'B')).toEqual({ firstSession: false, lastSession: true });
      expect(await online('u1')).toBe(false);
      // Coming back is a first session again.
      expect((await p.addSession('u1', 's3', 'B')).firstSession).toBe(true);
    });

    it('counts several sessions of one user on one node', async () => {
      await p.heartbeat('A', LONG_TTL);
      expect((await p.addSession('u1', 's1', 'A')).firstSession).toBe(true);
      expect((await p.addSession('u1', 's2', 'A')).firstSession).toBe(false);
      expect((await p.addSession('u2', 's3', 'A')).firstSession).toBe(true);
      expect((await p.removeSession('u1', 's2', 'A')).lastSession).toBe(false);
      expect((await p.removeSession('u1', 's1', 'A')).lastSession).toBe(true);
      expect(await online('u2')).toBe(true);
    });

    it('is idempotent for repeated adds and removes', async () => {
      await p.heartbeat('A', LONG_TTL);
      expect((await p.addSession('u1', 's1', 'A')).firstSession).toBe(true);
      expect((await p.addSession('u1', 's1', 'A')).firstSession).toBe(false);
      expect((await p.removeSession('u1', 's1', 'A')).lastSession).toBe(true);
      expect(await p.removeSession('u1', 's1', 'A')).toEqual({ firstSession: false, lastSession: false });
      expect(await p.removeSession('nobody', 'sx', 'A')).toEqual({ firstSession: false, lastSession: false });
    });

    it('ignores a remove from a node that does not hold the session', async () => {
      await p.heartbeat('A', LONG_TTL);
      await p.heartbeat('B', LONG_TTL);
      await p.addSession('u1', 's1', 'A');
      expect((await p.removeSession('u1', 's1', 'B')).lastSession).toBe(false);
      expect(await online('u1')).toBe(true);
    });

    it('answers queries in order, with lastSeenAt from the clock', async () => {
      await p.heartbeat('A', LONG_TTL);
      const connectedAt = h.clock.now();
      await p.addSession('u1', 's1', 'A');
      await p.addSession('u2', 's2', 'A');
      h.clock.advance(5_000);
      const leftAt = h.clock.now();
      await p.removeSession('u2', 's2', 'A');
      expect(await p.query(['u2', 'ghost', 'u1'])).toEqual([
        { userId: 'u2', online: false, lastSeenAt: leftAt },
        { userId: 'ghost', online: false, lastSeenAt: null },
        { userId: 'u1', online: true, lastSeenAt: connectedAt },
      ]);
      expect(await p.query([])).toEqual([]);
    });

    it('tells whether the liveness key existed on each heartbeat', async () => {
      expect(await p.heartbeat('A', h.shortTtlMs)).toEqual({ wasAlive: false });
      expect(await p.heartbeat('A', h.shortTtlMs)).toEqual({ wasAlive: true });
      await expireShortNodes();
      expect(await p.heartbeat('A', h.shortTtlMs)).toEqual({ wasAlive: false });
    });

    it('rejects a non-positive heartbeat TTL', async () => {
      await expect(p.heartbeat('A', 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });

    it('stops counting sessions of a node whose liveness expired', async () => {
      await p.heartbeat('A', h.shortTtlMs);
      await p.heartbeat('B', LONG_TTL);
      await p.addSession('u1', 's1', 'A');
      await p.addSession('u2', 's2', 'A');
      await p.addSession('u2', 's3', 'B');
      expect(await online('u1')).toBe(true);
      await expireShortNodes();
      expect((await p.query(['u1', 'u2'])).map((i) => i.online)).toEqual([false, true]);
      // Reconnecting elsewhere before any sweep is a first session again...
      expect((await p.addSession('u1', 's4', 'B')).firstSession).toBe(true);
      // ...and the stale session no longer keeps u2 online.
      expect((await p.removeSession('u2', 's3', 'B')).lastSession).toBe(true);
    });

    it('does not count sessions of a node that never sent a heartbeat', async () => {
      expect((await p.addSession('u1', 's1', 'C')).firstSession).toBe(false);
      expect(await online('u1')).toBe(false);
    });

    it('sweeps dead nodes and returns users that went offline, once', async () => {
      await p.heartbeat('A', h.shortTtlMs);
      await p.heartbeat('B', LONG_TTL);
      await p.addSession('u1', 's1', 'A');
      await p.addSession('u1', 's2', 'A');
      await p.addSession('u2', 's3', 'A');
      await p.addSession('u2', 's4', 'B');
      await p.addSession('u3', 's5', 'B');
      expect(await p.sweep()).toEqual([]);

      await expireShortNodes();
      const sweptAt = h.clock.now();
      expect(await p.sweep()).toEqual(['u1']);
      expect(await p.sweep()).toEqual([]);
      expect(await p.query(['u1'])).toEqual([{ userId: 'u1', online: false, lastSeenAt: sweptAt }]);
      expect(await online('u2')).toBe(true);
      // The swept session is gone: removing it late changes nothing.
      expect((await p.removeSession('u1', 's1', 'A')).lastSession).toBe(false);
    });

    it('reports a user offline once when their last session is removed before the sweep', async () => {
      await p.heartbeat('A', h.shortTtlMs);
      await p.heartbeat('B', LONG_TTL);
      await p.addSession('u1', 's1', 'A');
      await p.addSession('u1', 's2', 'B');
      await expireShortNodes();
      expect((await p.removeSession('u1', 's2', 'B')).lastSession).toBe(true);
      expect(await p.sweep()).toEqual([]);
    });

    it('removes a node and returns users that went offline', async () => {
      await p.heartbeat('A', LONG_TTL);
      await p.heartbeat('B', LONG_TTL);
      await p.addSession('u1', 's1', 'A');
      await p.addSession('u2', 's2', 'A');
      await p.addSession('u2', 's3', 'B');
      h.clock.advance(1_000);
      const removedAt = h.clock.now();
      expect(await p.removeNode('A')).toEqual(['u1']);
      expect(await p.query(['u1', 'u2'])).toEqual([
        { userId: 'u1', online: false, lastSeenAt: removedAt },
        { userId: 'u2', online: true, lastSeenAt: expect.any(Number) },
      ]);
      expect(await p.removeNode('A')).toEqual([]);
      expect(await p.sweep()).toEqual([]);
      expect(await p.heartbeat('A', LONG_TTL)).toEqual({ wasAlive: false });
    });

    it('restores a node whose liveness lapsed and was swept', async () => {
      await p.heartbeat('A', h.shortTtlMs);
      await p.addSession('u1', 's1', 'A');
      await p.addSession('u2', 's2', 'A');
      await p.addSession('u2', 's3', 'A');
      await expireShortNodes();
      expect(sorted(await p.sweep())).toEqual(['u1', 'u2']);

      expect(await p.heartbeat('A', LONG_TTL)).toEqual({ wasAlive: false });
      const local = [
        { userId: 'u1', sessionId: 's1' },
        { userId: 'u2', sessionId: 's2' },
        { userId: 'u2', sessionId: 's3' },
      ];
      expect(sorted(await p.restoreSessions('A', local))).toEqual(['u1', 'u2']);
      expect(await p.restoreSessions('A', local)).toEqual([]);
      expect((await p.query(['u1', 'u2'])).map((i) => i.online)).toEqual([true, true]);
      expect((await p.removeSession('u2', 's2', 'A')).lastSession).toBe(false);
      expect((await p.removeSession('u2', 's3', 'A')).lastSession).toBe(true);
    });

    it('restores nobody as new when the lapse was never swept', async () => {
      await p.heartbeat('A', h.shortTtlMs);
      await p.addSession('u1', 's1', 'A');
      await expireShortNodes();
      expect(await online('u1')).toBe(false);
      expect(await p.heartbeat('A', LONG_TTL)).toEqual({ wasAlive: false });
      // Nobody was told u1 left, so nobody needs to hear u1 is back.
      expect(await p.restoreSessions('A', [{ userId: 'u1', sessionId: 's1' }])).toEqual([]);
      expect(await online('u1')).toBe(true);
    });

    describe('visibility and away users', () => {
      const AWAY_AFTER = 60_000;
      const away = async (userIds: string[], now = h.clock.now()): Promise<string[]> =>
        sorted([...(await p.awayUsers(userIds, now, AWAY_AFTER))]);

      it('counts users with no live session as away, and those with a session that never reported as present', async () => {
        await p.heartbeat('A', LONG_TTL);
        await p.addSession('u1', 's1', 'A');
        expect(await away(['u1', 'u2'])).toEqual(['u2']);
        expect(await away([])).toEqual([]);
      });

      it('counts a user away once every live session was hidden for the threshold', async () => {
        await p.heartbeat('A', LONG_TTL);
        await p.heartbeat('B', LONG_TTL);
        await p.addSession('u1', 's1', 'A');
        await p.addSession('u1', 's2', 'B');
        const t0 = h.clock.now();
        await p.setVisibility('u1', 's1', false, t0);
        expect(await away(['u1'], t0 + AWAY_AFTER)).toEqual([]); // s2 never reported: visible
        await p.setVisibility('u1', 's2', false, t0 + 10_000);
        expect(await away(['u1'], t0 + 10_000 + AWAY_AFTER - 1)).toEqual([]);
        expect(await away(['u1'], t0 + 10_000 + AWAY_AFTER)).toEqual(['u1']);
        // Hidden again while hidden keeps the first time; shown again is present at once.
        await p.setVisibility('u1', 's1', false, t0 + 50_000);
        expect(await away(['u1'], t0 + 10_000 + AWAY_AFTER)).toEqual(['u1']);
        await p.setVisibility('u1', 's1', true, t0 + 80_000);
        expect(await away(['u1'], t0 + 10 * AWAY_AFTER)).toEqual([]);
      });

      it('forgets the visibility of a removed session and ignores reports of unknown sessions', async () => {
        await p.heartbeat('A', LONG_TTL);
        await p.addSession('u1', 's1', 'A');
        await p.setVisibility('u1', 's1', false, h.clock.now());
        await p.setVisibility('u1', 'ghost', false, h.clock.now());
        await p.removeSession('u1', 's1', 'A');
        // The same session id back: it has not reported yet, so it is visible.
        await p.addSession('u1', 's1', 'A');
        expect(await away(['u1'], h.clock.now() + 10 * AWAY_AFTER)).toEqual([]);
        // A report for a session presence never had does not make it present either.
        await p.removeSession('u1', 's1', 'A');
        expect(await away(['u1'])).toEqual(['u1']);
      });

      it('forgets visibility with a removed node and counts sessions of a dead node as gone', async () => {
        await p.heartbeat('A', LONG_TTL);
        await p.heartbeat('B', h.shortTtlMs);
        await p.addSession('u1', 's1', 'A');
        await p.addSession('u2', 's2', 'B');
        await p.setVisibility('u1', 's1', false, h.clock.now());
        await p.removeNode('A');
        await p.heartbeat('A', LONG_TTL);
        await p.restoreSessions('A', [{ userId: 'u1', sessionId: 's1' }]);
        expect(await away(['u1'], h.clock.now() + 10 * AWAY_AFTER)).toEqual([]);
        await expireShortNodes();
        expect(await away(['u1', 'u2'])).toEqual(['u2']);
        expect(await p.sweep()).toEqual(['u2']);
        expect(await away(['u1', 'u2'])).toEqual(['u2']);
      });

      it('answers for many users at once', async () => {
        await p.heartbeat('A', LONG_TTL);
        const users = Array.from({ length: 500 }, (_, i) => `m${i}`);
        for (const u of users.slice(0, 250)) await p.addSession(u, `s-${u}`, 'A');
        const result = await p.awayUsers(users, h.clock.now(), AWAY_AFTER);
        expect(result.size).toBe(250);
        expect(result.has('m0')).toBe(false);
        expect(result.has('m499')).toBe(true);
      });
    });

    (options.wipe ? it : it.skip)('lets live nodes re-register after all data was lost', async () => {
      if (!h.wipe) throw new Error('harness has no wipe()');
      await p.heartbeat('A', LONG_TTL);
      await p.heartbeat('B', LONG_TTL);
      await p.addSession('u1', 's1', 'A');
      await p.addSession('u2', 's2', 'B');
      await h.wipe();
      expect((await p.query(['u1', 'u2'])).map((i) => i.online)).toEqual([false, false]);

      expect(await p.heartbeat('A', LONG_TTL)).toEqual({ wasAlive: false });
      expect(await p.restoreSessions('A', [{ userId: 'u1', sessionId: 's1' }])).toEqual(['u1']);
      expect(await p.heartbeat('B', LONG_TTL)).toEqual({ wasAlive: false });
      expect(await p.restoreSessions('B', [{ userId: 'u2', sessionId: 's2' }])).toEqual(['u2']);
      expect((await p.query(['u1', 'u2'])).map((i) => i.online)).toEqual([true, true]);
      expect((await p.removeSession('u1', 's1', 'A')).lastSession).toBe(true);
      expect(await p.removeNode('B')).toEqual(['u2']);
    });
  });
}
