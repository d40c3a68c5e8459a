import { at } from '@parley/testing';
import { MemoryPresence } from './presence.memory';
import { ManualClock, describePresenceContract } from './testing/presence.contract';

describePresenceContract('memory', async () => {
  const clock = new ManualClock();
  return {
    presence: new MemoryPresence({ clock }),
    clock,
    shortTtlMs: 1_000,
    advance: async (ms) => clock.advance(ms),
    close: async () => {},
  };
});

describe('MemoryPresence', () => {
  it('treats a liveness deadline as exclusive', async () => {
    const clock = new ManualClock();
    const presence = new MemoryPresence({ clock });
    await presence.heartbeat('A', 1_000);
    await presence.addSession('u1', 's1', 'A');
    clock.advance(999);
    expect(at(await presence.query(['u1']), 0, 'presence entry').online).toBe(true);
    clock.advance(1);
    expect(at(await presence.query(['u1']), 0, 'presence entry').online).toBe(false);
  });

  it('shares one view between the nodes of a process', async () => {
    const clock = new ManualClock();
    const presence = new MemoryPresence({ clock });
    await presence.heartbeat('im-1', 5_000);
    await presence.heartbeat('im-2', 5_000);
    await presence.addSession('u1', 's1', 'im-1');
    expect((await presence.addSession('u1', 's2', 'im-2')).firstSession).toBe(false);
    clock.advance(3_000);
    await presence.heartbeat('im-2', 5_000);
    clock.advance(3_000);
    // im-1 lapsed, im-2 still alive: only u1's im-2 session keeps them online.
    expect(await presence.sweep()).toEqual([]);
    expect((await presence.removeSession('u1', 's2', 'im-2')).lastSession).toBe(true);
  });
});
