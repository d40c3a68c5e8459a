import type { Store } from '@parley/domain';
import type { StoreContractContext } from './contract-context';

/** UserStore: accounts, profiles and settings. */
export function describeUserStoreContract(ctx: StoreContractContext): void {
  const { createUser, expectRefusal } = ctx;

  describe('UserStore', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store();
    });

    describe('users', () => {
      it('creates and finds users by id and by username, case-insensitively', async () => {
        const user = await createUser('Alice_Contract', 'Alice');
        expect(user).toMatchObject({ username: 'Alice_Contract', displayName: 'Alice', avatarUrl: null, bio: null, dmPolicy: 'friends' });
        expect(await store.getUser(user.id)).toEqual(user);
        expect(await store.findUserByUsername('alice_contract')).toEqual(user);
        expect(await store.getUser('nobody')).toBeNull();
        expect(await store.findUserByUsername('nobody_here')).toBeNull();
      });

      it('rejects a taken username whatever its case', async () => {
        await createUser('bob_contract');
        await expectRefusal(createUser('BOB_contract'), 'USERNAME_TAKEN', 'username-taken');
      });

      it('keys usernames canonically (NFKC + case fold, compared byte for byte): lookalike spellings never find or shadow another account', async () => {
        const victim = await createUser('victim_key');
        // Fullwidth letters fold to the same key: the same name, so the same account, and not registrable beside it.
        expect(await store.findUserByUsername('ｖｉｃｔｉｍ_ｋｅｙ')).toEqual(victim);
        await expectRefusal(createUser('ｖｉｃｔｉｍ_ｋｅｙ'), 'USERNAME_TAKEN', 'username-taken');
        await expectRefusal(createUser('VICTIM_KEY'), 'USERNAME_TAKEN', 'username-taken');
        // A trailing space or an accent is another key: never the victim (MySQL's accent- and pad-insensitive collation no longer decides).
        for (const variant of ['victim_key ', 'vïctim_key']) {
          expect(await store.findUserByUsername(variant)).toBeNull();
          // An engine may refuse such a name outright (MySQL's older collation index does); if it takes it, it is an account of its own.
          const created = await createUser(variant).catch((err: unknown) => err);
          if (created instanceof Error) {
            expect(created).toMatchObject({ code: 'USERNAME_TAKEN', reason: 'username-taken' });
          } else {
            expect(created).toMatchObject({ username: variant });
            expect(await store.findUserByUsername(variant)).toEqual(created);
          }
          expect(await store.findUserByUsername('victim_key')).toEqual(victim);
        }
        // Search matches the key, so a fullwidth query finds the plain name.
        expect((await store.searchUsers('ＶＩＣＴＩＭ_', 10, 0)).map((u) => u.id)).toContain(victim.id);
      });

      it('loads several users at once, skipping unknown ids', async () => {
        const a = await createUser();
        const b = await createUser();
        const found = await store.getUsers([a.id, 'nobody', b.id]);
        expect(found.map((u) => u.id).sort()).toEqual([a.id, b.id].sort());
        expect(await store.getUsers([])).toEqual([]);
      });

      it('searches username and display name substrings, case-insensitively, ordered by username, paged', async () => {
        const carol = await createUser('srch_carol', 'Carol');
        const dave = await createUser('srch_dave', 'Dave Carolsson');
        const erin = await createUser('srch_erin', 'Erin');
        await createUser('other_frank', 'Frank');
        expect((await store.searchUsers('CAROL', 10, 0)).map((u) => u.id)).toEqual([carol.id, dave.id]);
        expect((await store.searchUsers('srch_', 10, 0)).map((u) => u.id)).toEqual([carol.id, dave.id, erin.id]);
        expect((await store.searchUsers('srch_', 2, 1)).map((u) => u.id)).toEqual([dave.id, erin.id]);
        // LIKE wildcards in the query are literal characters.
        expect(await store.searchUsers('%', 10, 0)).toEqual([]);
        expect((await store.searchUsers('h_c', 10, 0)).map((u) => u.id)).toEqual([carol.id]);
      });

      it('patches only the given profile fields', async () => {
        const user = await createUser();
        const withBio = await store.updateProfile(user.id, { bio: 'I like tests 🧪', avatarUrl: 'https://a.example/x.png' });
        expect(withBio).toMatchObject({ displayName: user.displayName, bio: 'I like tests 🧪', avatarUrl: 'https://a.example/x.png' });
        const renamed = await store.updateProfile(user.id, { displayName: 'Renamed', avatarUrl: null });
        expect(renamed).toMatchObject({ displayName: 'Renamed', bio: 'I like tests 🧪', avatarUrl: null });
        expect(await store.getUser(user.id)).toEqual(renamed);
        expect(await store.updateProfile(user.id, {})).toEqual(renamed);
        await expectRefusal(store.updateProfile('nobody', { bio: 'x' }), 'NOT_FOUND', 'user-not-found');
      });
    });

    describe('settings', () => {
      it('starts users on the friends-only DM policy and patches it', async () => {
        const user = await createUser();
        expect(user.dmPolicy).toBe('friends');
        expect((await store.getUser(user.id))?.dmPolicy).toBe('friends');
        expect(await store.updateProfile(user.id, { dmPolicy: 'anyone' })).toMatchObject({ dmPolicy: 'anyone' });
        expect((await store.getUser(user.id))?.dmPolicy).toBe('anyone');
      });

      it('starts users on the friends group-invitation policy and patches it apart from the DM policy', async () => {
        const user = await createUser();
        expect(user.groupInvites).toBe('friends');
        expect(await store.updateProfile(user.id, { groupInvites: 'ask' })).toMatchObject({ groupInvites: 'ask', dmPolicy: 'friends' });
        expect((await store.getUser(user.id))?.groupInvites).toBe('ask');
        expect(await store.updateProfile(user.id, { dmPolicy: 'anyone' })).toMatchObject({ groupInvites: 'ask', dmPolicy: 'anyone' });
      });
    });
  });
}
