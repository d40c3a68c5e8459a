import { ContentPolicy, GroupAdminService, GroupService, RegistrationGuard, type AccountService, type Store } from '@parley/domain';
import { RecordingNotifier, sequenceIds } from '@parley/domain/testing';
import { AhoCorasickTextFilter, type FilterMode } from '@parley/moderation';
import { MemoryPresence } from '@parley/presence';
import { TEST_PASSWORD } from '@parley/testing';
import { createAccountWorld } from './support/account-world';

/** Display names (AccountService) and group names (GroupService, GroupAdminService) through the word filter. */
describe.each<FilterMode>(['mask', 'reject'])('names through the word filter in %s mode', (mode) => {
  const clock = { now: () => 1_700_000_000_000 };
  const client = { ip: '203.0.113.9' };
  let store: Store;
  let accounts: AccountService;
  let groups: GroupService;
  let admin: GroupAdminService;

  beforeEach(async () => {
    const content = new ContentPolicy({ filter: new AhoCorasickTextFilter(['badword', '坏蛋'], mode) });
    ({ store, accounts } = await createAccountWorld({
      clock,
      accounts: (throttles) => ({ registrationGuard: new RegistrationGuard(throttles, { perIp: 100, windowSec: 600 }), content }),
    }));
    const notifier = new RecordingNotifier();
    groups = new GroupService({ store, presence: new MemoryPresence({ clock }), notifier, ids: sequenceIds('g'), clock, content });
    admin = new GroupAdminService({ store, notifier, ids: sequenceIds('a'), clock, content });
  });
  afterEach(() => store.close());

  const register = (username: string, displayName?: string) => accounts.register({ username, password: TEST_PASSWORD, displayName }, client);

  if (mode === 'mask') {
    it('stores a display name with listed words masked, at registration and on a profile change', async () => {
      const { user } = await register('ann', 'Ann the BADWORD 坏蛋');
      expect(user.displayName).toBe('Ann the ******* **');
      expect((await store.getUser(user.id))?.displayName).toBe('Ann the ******* **');
      // No display name: the username is what others see, so it is screened as one.
      expect((await register('badword_fan')).user.displayName).toBe('*******_fan');
      expect((await accounts.updateProfile(user.id, { displayName: 'still a badword', bio: 'badword in a bio is not screened' })).displayName).toBe(
        'still a *******',
      );
      expect(await store.getUser(user.id)).toMatchObject({ displayName: 'still a *******', bio: 'badword in a bio is not screened' });
    });

    it('stores a group name with listed words masked, at creation and on a rename', async () => {
      const { user } = await register('ann');
      const { group } = await groups.create(user.id, { name: 'the badword club' });
      expect(group.name).toBe('the ******* club');
      expect((await admin.update(user.id, { groupId: group.id, name: '坏蛋 corner' })).name).toBe('** corner');
      expect((await groups.list(user.id)).map((g) => g.name)).toEqual(['** corner']);
    });
  } else {
    it('refuses a display name holding a listed word with CONTENT_REJECTED and stores nothing', async () => {
      await expect(register('ann', 'Ann the BADWORD')).rejects.toMatchObject({ code: 'CONTENT_REJECTED', status: 422 });
      await expect(register('badword_fan')).rejects.toMatchObject({ code: 'CONTENT_REJECTED' });
      expect(await store.findUserByUsername('ann')).toBeNull();
      expect(await store.findUserByUsername('badword_fan')).toBeNull();
      const { user } = await register('ann', 'Ann');
      await expect(accounts.updateProfile(user.id, { displayName: '我是坏蛋', bio: 'new bio' })).rejects.toMatchObject({ code: 'CONTENT_REJECTED' });
      // Nothing of the refused change is applied, not even the other fields.
      expect(await store.getUser(user.id)).toMatchObject({ displayName: 'Ann', bio: null });
    });

    it('refuses a group name holding a listed word, at creation and on a rename, changing nothing', async () => {
      const { user } = await register('ann');
      await expect(groups.create(user.id, { name: 'the badword club' })).rejects.toMatchObject({ code: 'CONTENT_REJECTED' });
      expect(await groups.list(user.id)).toEqual([]);
      const { group } = await groups.create(user.id, { name: 'the club' });
      await expect(admin.update(user.id, { groupId: group.id, name: '坏蛋 corner', announcement: 'hello' })).rejects.toMatchObject({
        code: 'CONTENT_REJECTED',
      });
      expect((await groups.list(user.id)).map((g) => [g.name, g.announcement ?? null])).toEqual([['the club', null]]);
    });
  }

  it('leaves names without listed words as written', async () => {
    const { user } = await register('ann', 'Ａnn ok');
    expect(user.displayName).toBe('Ａnn ok');
    expect((await groups.create(user.id, { name: '好朋友' })).group.name).toBe('好朋友');
  });
});
