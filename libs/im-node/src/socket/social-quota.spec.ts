import { MemoryThrottleFactory } from '@parley/limits';
import { silentLogger } from '@parley/util';
import { COMMAND_COSTS } from './command-costs';
import { socialCost, UserSocialQuota } from './social-quota';

describe('socialCost', () => {
  it('charges what reaches other people, more per person invited, and nothing for the rest', () => {
    expect(socialCost('friend:request', { userId: 'bob' })).toBe(COMMAND_COSTS['friend:request']);
    expect(socialCost('group:invite', { groupId: 'g', userIds: ['a', 'b', 'c'] })).toBe(COMMAND_COSTS['group:invite'] + 3);
    expect(socialCost('group:create', { name: 'g', memberIds: ['a', 'b'] })).toBe(COMMAND_COSTS['group:create'] + 2);
    expect(socialCost('group:create', { name: 'g' })).toBe(COMMAND_COSTS['group:create']);
    expect(socialCost('group:join', { groupId: 'g' })).toBe(COMMAND_COSTS['group:join']);
    expect(socialCost('user:block', { userId: 'bob' })).toBe(COMMAND_COSTS['user:block']);
    expect(socialCost('message:send', {})).toBeUndefined();
    expect(socialCost('friend:list', {})).toBeUndefined();
  });
});

describe('UserSocialQuota', () => {
  const clock = { now: () => 1_700_000_000_000 };
  const quota = () => new UserSocialQuota(new MemoryThrottleFactory(), { points: 20, windowSec: 600 }, clock, silentLogger);

  it('refuses one big invitation of many people as it would many small ones', async () => {
    const q = quota();
    await expect(q.charge('mallory', 'group:invite', { groupId: 'g', userIds: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] })).resolves.toBeUndefined();
    await expect(q.charge('mallory', 'group:invite', { groupId: 'g', userIds: ['k', 'l', 'm', 'n', 'o', 'p'] })).resolves.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: expect.any(Number),
    });
    // What never fits a window says so with the whole window as the wait.
    const many = Array.from({ length: 30 }, (_, i) => `u${i}`);
    await expect(quota().charge('alice', 'group:create', { name: 'g', memberIds: many })).resolves.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 600_000 });
  });

  it('lets honest use through and leaves other commands alone', async () => {
    const q = quota();
    await expect(q.charge('alice', 'friend:request', { userId: 'bob' })).resolves.toBeUndefined();
    await expect(q.charge('alice', 'group:join', { groupId: 'g' })).resolves.toBeUndefined();
    for (let i = 0; i < 100; i++) await expect(q.charge('alice', 'friend:list', {})).resolves.toBeUndefined();
  });
});
