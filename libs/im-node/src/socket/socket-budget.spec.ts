import { COMMAND_NAMES, type CommandName } from '@parley/protocol';
import { COMMAND_COSTS, UNKNOWN_COMMAND_COST, commandCost } from './command-costs';
import { DEFAULT_SOCKET_BUDGET, SocketBudget, overBudget } from './socket-budget';

describe('SocketBudget', () => {
  let now = 1_700_000_000_000;
  const clock = { now: () => now };
  const budget = (burst: number, ratePerSec: number) => new SocketBudget(clock, { burst, ratePerSec });

  /** Charges `name` n times; how many ran and the last refusal's wait. */
  function flood(b: SocketBudget, userId: string, name: string, n: number): { ran: number; waits: number[] } {
    const waits: number[] = [];
    let ran = 0;
    for (let i = 0; i < n; i++) {
      const wait = b.charge(userId, commandCost(name));
      if (wait === undefined) ran++;
      else waits.push(wait);
    }
    return { ran, waits };
  }

  it('lets a burst through, then refuses with the exact wait until the next token', () => {
    const b = budget(20, 10); // a token every 100 ms
    const user = 'alice';
    const { ran, waits } = flood(b, user, 'friend:list', 1_000);
    expect(ran).toBe(20);
    expect(waits).toHaveLength(980);
    expect(new Set(waits)).toEqual(new Set([100])); // refused commands take nothing: the wait does not grow
    now += 99;
    expect(b.charge(user, 1)).toBe(1);
    now += 1;
    expect(b.charge(user, 1)).toBeUndefined();
    expect(b.charge(user, 1)).toBe(100);
  });

  it('charges dearer commands more: a flood of group:create stops sooner than one of reads', () => {
    const b = budget(200, 40);
    expect(flood(b, 'carol', 'group:create', 100).ran).toBe(200 / COMMAND_COSTS['group:create']);
    expect(flood(b, 'dave', 'sync', 500).ran).toBe(200 / COMMAND_COSTS.sync);
    // A command dearer than what is left waits for the difference only.
    const user = 'alice';
    expect(flood(b, user, 'friend:list', 195).ran).toBe(195);
    expect(b.charge(user, COMMAND_COSTS['group:create'])).toBe(5 * 25);
  });

  it('refills over time up to the burst, never beyond', () => {
    const b = budget(10, 5);
    const user = 'alice';
    expect(flood(b, user, 'friend:list', 10).ran).toBe(10);
    now += 1_000; // 5 tokens back
    expect(flood(b, user, 'friend:list', 10).ran).toBe(5);
    now += 3_600_000; // an hour idle: full, not 18,000
    expect(flood(b, user, 'friend:list', 100).ran).toBe(10);
  });

  it('keeps each user to their own budget, one number per user that is forgotten once full again', () => {
    const b = budget(10, 1);
    expect(flood(b, 'mallory', 'typing', 100).ran).toBe(10);
    expect(flood(b, 'alice', 'typing', 10).ran).toBe(10);
    expect(b.size).toBe(2);
    now += 10_000; // both buckets full again: the next charge's sweep forgets them
    expect(flood(b, 'bob', 'typing', 1).ran).toBe(1);
    expect(b.size).toBe(1);
  });

  it("passes a client's catch-up after a reconnect with the default budget", () => {
    const b = new SocketBudget(clock, DEFAULT_SOCKET_BUDGET);
    const user = 'alice';
    // What a client does at once on (re)connecting, with a backlog of 10,000 messages in
    // one conversation (50 pages of 200), then fills two gaps and reads its lists.
    const reconnect: CommandName[] = [
      ...Array.from({ length: 50 }, (): CommandName => 'sync'),
      'history:fetch',
      'history:fetch',
      'conversation:list',
      'friend:list',
      'friend:requests',
      'group:list',
      'group:invitations',
      'settings:get',
      'user:blocked',
      'presence:query',
      ...Array.from({ length: 20 }, (): CommandName => 'message:ack'),
    ];
    const refused = reconnect.filter((name) => b.charge(user, COMMAND_COSTS[name]) !== undefined);
    expect(refused).toEqual([]);
  });

  it('refuses a configuration under which a command could never run', () => {
    expect(() => budget(COMMAND_COSTS['group:create'] - 1, 10)).toThrow(/burst must be at least 10/);
    expect(() => budget(200, 0)).toThrow(/ratePerSec must be > 0/);
  });

  it('answers RATE_LIMITED with the wait', () => {
    expect(overBudget(125)).toEqual({ code: 'RATE_LIMITED', message: expect.stringContaining('slow down'), retryAfterMs: 125 });
  });
});

describe('command costs', () => {
  it('gives every command a whole, positive cost no larger than the default burst', () => {
    for (const name of COMMAND_NAMES) {
      expect([name, Number.isInteger(commandCost(name)) && commandCost(name) >= 1]).toEqual([name, true]);
      expect(commandCost(name)).toBeLessThanOrEqual(DEFAULT_SOCKET_BUDGET.burst);
    }
  });

  it('charges unknown names, including ones that look like object keys, the unknown cost', () => {
    for (const name of ['no:such', '__proto__', 'constructor', 'toString']) expect(commandCost(name)).toBe(UNKNOWN_COMMAND_COST);
  });

  it('makes what reaches other people dearer than reads', () => {
    expect(COMMAND_COSTS['group:create']).toBeGreaterThan(COMMAND_COSTS['friend:list']);
    expect(COMMAND_COSTS['friend:request']).toBeGreaterThan(COMMAND_COSTS['message:send']);
    expect(COMMAND_COSTS['group:invite']).toBeGreaterThan(COMMAND_COSTS['group:info']);
  });
});
