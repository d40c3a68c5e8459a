import type { UserRecord } from '@parley/domain';
import { warnUnclaimedAdminNames } from './unclaimed-admins';

describe('warnUnclaimedAdminNames', () => {
  it('warns once for each listed name no account holds (names compared as the store compares them), and for none when all are held', async () => {
    const held = new Set(['root']);
    const store = { findUserByUsername: async (name: string) => (held.has(name.toLowerCase()) ? ({ id: 'u1' } as UserRecord) : null) };
    const warnings: unknown[] = [];
    const logger = { warn: (obj: unknown) => void warnings.push(obj) };
    await expect(warnUnclaimedAdminNames(store, ['ROOT', ' chief ', 'Chief', '', 'ops'], logger)).resolves.toEqual(['Chief', 'ops']);
    expect(warnings).toEqual([{ username: 'Chief' }, { username: 'ops' }]);
    warnings.length = 0;
    await expect(warnUnclaimedAdminNames(store, ['root'], logger)).resolves.toEqual([]);
    expect(warnings).toEqual([]);
  });
});
