import { openStore } from './open-store';
import { SqliteStore } from './sqlite/store';

describe('openStore', () => {
  it('opens a migrated sqlite store', async () => {
    const store = await openStore({ kind: 'sqlite', filename: ':memory:' });
    try {
      expect(store).toBeInstanceOf(SqliteStore);
      await store.createUser({ id: 'U1', username: 'ann', displayName: 'Ann', passwordHash: 'h', createdAt: 1 });
      expect(await store.findUserByUsername('ANN')).toMatchObject({ id: 'U1' });
    } finally {
      await store.close();
    }
  });

  it('rejects with UNAVAILABLE when mysql cannot be reached', async () => {
    await expect(openStore({ kind: 'mysql', url: 'mysql://root@127.0.0.1:1/parley', connectTimeoutMs: 500 })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
  });
});
