import type { NewUpload, Store } from '@parley/domain';
import { directConversationId, type Attachment } from '@parley/protocol';
import type { StoreContractContext } from './contract-context';

/** UploadStore: tickets, readiness, the claim by one message, members-only attachments, expiry. */
export function describeUploadStoreContract(ctx: StoreContractContext): void {
  const { createUser, nextId, now, directMessage, expectRefusal } = ctx;

  describe('UploadStore', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store();
    });

    const newUpload = (ownerId: string, overrides: Partial<NewUpload> = {}): NewUpload => {
      const createdAt = now();
      return { id: nextId('UP'), ownerId, name: 'cat.png', declaredSize: 1000, createdAt, expiresAt: createdAt + 3_600_000, ...overrides };
    };
    const attachmentOf = (id: string): Attachment => ({ id, name: 'cat.png', mime: 'image/png', size: 900, width: 4, height: 3, thumbnail: true });
    const readyUpload = async (ownerId: string): Promise<string> => {
      const upload = newUpload(ownerId);
      await store.createUpload(upload);
      await store.markUploadReady(upload.id, attachmentOf(upload.id));
      return upload.id;
    };

    it('creates a pending upload, marks it ready once, and counts the owner\'s open ones', async () => {
      const a = await createUser();
      const upload = newUpload(a.id);
      await store.createUpload(upload);
      expect(await store.getUpload(upload.id)).toEqual({ ...upload, status: 'pending', attachment: null, conversationId: null, clientMsgId: null });
      const ready = await store.markUploadReady(upload.id, attachmentOf(upload.id));
      expect(ready).toMatchObject({ status: 'ready', attachment: attachmentOf(upload.id) });
      // Ready already: no change.
      expect(await store.markUploadReady(upload.id, { ...attachmentOf(upload.id), size: 1 })).toEqual(ready);
      await expectRefusal(store.markUploadReady('missing', attachmentOf('missing')), 'NOT_FOUND', 'upload-not-found');
      await store.createUpload(newUpload(a.id, { expiresAt: 10 }));
      expect(await store.countOpenUploads(a.id, upload.createdAt)).toBe(1);
      expect(await store.getUpload('missing')).toBeNull();
    });

    it('claims a ready upload of the owner for one message; a retry of the same message gets it again', async () => {
      const [a, b] = [await createUser(), await createUser()];
      const conversationId = directConversationId(a.id, b.id);
      const id = await readyUpload(a.id);
      await expectRefusal(store.claimUpload(id, b.id, conversationId, 'c1'), 'NOT_FOUND', 'upload-not-found');
      await expectRefusal(store.claimUpload('missing', a.id, conversationId, 'c1'), 'NOT_FOUND', 'upload-not-found');
      const claimed = await store.claimUpload(id, a.id, conversationId, 'c1');
      expect(claimed).toMatchObject({ id, conversationId, clientMsgId: 'c1', status: 'ready' });
      expect(await store.claimUpload(id, a.id, conversationId, 'c1')).toEqual(claimed);
      await expectRefusal(store.claimUpload(id, a.id, conversationId, 'c2'), 'CONFLICT', 'upload-used');
      await expectRefusal(store.claimUpload(id, a.id, 'd:other:one', 'c1'), 'CONFLICT', 'upload-used');
      expect(await store.countOpenUploads(a.id, now())).toBe(0);
      const pending = newUpload(a.id);
      await store.createUpload(pending);
      await expectRefusal(store.claimUpload(pending.id, a.id, conversationId, 'c3'), 'CONFLICT', 'upload-not-ready');
    });

    it('lets exactly one of many racing messages claim an upload', async () => {
      const [a, b] = [await createUser(), await createUser()];
      const id = await readyUpload(a.id);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => store.claimUpload(id, a.id, directConversationId(a.id, b.id), `race-${i}`)),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    });

    it('answers the attachment to members of the conversation it was sent in while its message stands', async () => {
      const [a, b, outsider] = [await createUser(), await createUser(), await createUser()];
      const conversationId = directConversationId(a.id, b.id);
      const id = await readyUpload(a.id);
      await store.claimUpload(id, a.id, conversationId, 'pic');
      // Claimed, but the message is not stored yet.
      expect(await store.getAttachmentForMember(id, b.id)).toBeNull();
      const sent = await store.appendMessage(
        directMessage(a.id, b.id, { kind: 'image', clientMsgId: 'pic', body: { text: '', attachment: attachmentOf(id) } }),
      );
      expect(await store.getAttachmentForMember(id, a.id)).toEqual(attachmentOf(id));
      expect(await store.getAttachmentForMember(id, b.id)).toEqual(attachmentOf(id));
      expect(await store.getAttachmentForMember(id, outsider.id)).toBeNull();
      expect(await store.getAttachmentForMember('missing', a.id)).toBeNull();
      const unclaimed = await readyUpload(a.id);
      expect(await store.getAttachmentForMember(unclaimed, a.id)).toBeNull();
      await store.applyChange({ id: nextId('E'), conversationId, actorId: a.id, targetId: sent.message.id, type: 'recall', createdAt: now() });
      expect(await store.getAttachmentForMember(id, b.id)).toBeNull();
    });

    it('lists unclaimed uploads expired before a time, oldest first, and forgets deleted ones', async () => {
      const a = await createUser();
      const t = now() + 10_000_000;
      const late = newUpload(a.id, { expiresAt: t - 1 });
      const early = newUpload(a.id, { expiresAt: t - 2 });
      const fresh = newUpload(a.id, { expiresAt: t + 1 });
      for (const u of [late, early, fresh]) await store.createUpload(u);
      const claimed = newUpload(a.id, { expiresAt: t - 3 });
      await store.createUpload(claimed);
      await store.markUploadReady(claimed.id, attachmentOf(claimed.id));
      await store.claimUpload(claimed.id, a.id, 'd:x:y', 'c');
      const expired = (await store.listExpiredUploads(t, 1000)).map((u) => u.id);
      expect(expired.indexOf(early.id)).toBeLessThan(expired.indexOf(late.id));
      expect(expired).toContain(late.id);
      expect(expired).not.toContain(fresh.id);
      expect(expired).not.toContain(claimed.id);
      expect(await store.listExpiredUploads(t, 1)).toHaveLength(1);
      expect(await store.deleteUpload(late.id)).toBe(true);
      expect(await store.deleteUpload(late.id)).toBe(false);
      expect(await store.getUpload(late.id)).toBeNull();
      // The sweep's delete never takes a claimed upload (a send claiming it as the sweep runs); a discard does.
      expect(await store.deleteUpload(claimed.id, { unclaimedOnly: true })).toBe(false);
      expect(await store.getUpload(claimed.id)).not.toBeNull();
      expect(await store.deleteUpload(early.id, { unclaimedOnly: true })).toBe(true);
      expect(await store.deleteUpload(claimed.id)).toBe(true);
      expect((await store.listExpiredUploads(t, 1000)).map((u) => u.id)).not.toContain(late.id);
    });
  });
}
