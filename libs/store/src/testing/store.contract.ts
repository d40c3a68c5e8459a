import type { Store } from '@parley/domain';
import { describeAccountRemovalContract } from './account-removal.contract';
import { describeAdminStoreContract } from './admin.contract';
import { describeChangesContract } from './changes.contract';
import { storeContractContext } from './contract-context';
import { describeDigestsContract } from './digests.contract';
import { describeGroupStoreContract } from './groups.contract';
import { describeInvitationStoreContract } from './invitations.contract';
import { describeMessageStoreContract } from './messages.contract';
import { describeNotificationStoreContract } from './notifications.contract';
import { describeRequestStoreContract } from './requests.contract';
import { describeSearchContract } from './search.contract';
import { describeAuthSessionStoreContract } from './sessions.contract';
import { describeSocialStoreContract } from './social.contract';
import { describeUploadStoreContract } from './uploads.contract';
import { describeUserStoreContract } from './users.contract';

export interface StoreHandle {
  store: Store;
  /** Closes the store and throws its data away. */
  cleanup(): Promise<void>;
}

/**
 * The behaviour every Store engine must show: its life cycle, then one
 * contract suite per aggregate (users, social, groups, requests, messages, admin, notifications)
 * over one migrated store. `makeStore` returns a fresh, not yet migrated
 * store each call; the suite migrates it.
 */
export function describeStoreContract(name: string, makeStore: () => Promise<StoreHandle>): void {
  describe(`Store contract: ${name}`, () => {
    let handle: StoreHandle;
    const ctx = storeContractContext(() => handle.store);

    beforeAll(async () => {
      handle = await makeStore();
      await handle.store.migrate();
    });

    afterAll(async () => {
      await handle?.cleanup();
    });

    describe('migrations', () => {
      it('are idempotent, also when two callers race', async () => {
        const fresh = await makeStore();
        try {
          await Promise.all([fresh.store.migrate(), fresh.store.migrate()]);
          await fresh.store.migrate();
          await fresh.store.createUser({ id: 'U1', username: 'first', displayName: 'F', passwordHash: 'h', createdAt: 1 });
          await fresh.store.migrate();
          expect((await fresh.store.getUser('U1'))?.username).toBe('first');
        } finally {
          await fresh.cleanup();
        }
      });

      it('answers ping', async () => {
        await expect(handle.store.ping()).resolves.toBeUndefined();
      });
    });

    describeUserStoreContract(ctx);
    describeSocialStoreContract(ctx);
    describeGroupStoreContract(ctx);
    describeRequestStoreContract(ctx);
    describeAuthSessionStoreContract(ctx);
    describeAccountRemovalContract(ctx);
    describeInvitationStoreContract(ctx);
    describeMessageStoreContract(ctx);
    describeChangesContract(ctx);
    describeDigestsContract(ctx);
    describeSearchContract(ctx);
    describeUploadStoreContract(ctx);
    describeAdminStoreContract(ctx);
    describeNotificationStoreContract(ctx);
  });
}
