import type { NewMessage, Store, UserRecord } from '@parley/domain';
import { ParleyError, directConversationId, groupConversationId, type ErrorCode } from '@parley/protocol';
import { describePeerRelationsContract } from './peer-relations.contract';
import { describeSocialContract } from './social.contract';

export interface StoreHandle {
  store: Store;
  /** Closes the store and throws its data away. */
  cleanup(): Promise<void>;
}

/**
 * The behaviour every Store engine must show. `makeStore` returns a fresh,
 * not yet migrated store each call; the suite migrates it.
 */
export function describeStoreContract(name: string, makeStore: () => Promise<StoreHandle>): void {
  describe(`Store contract: ${name}`, () => {
    let handle: StoreHandle;
    let store: Store;
    let counter = 0;
    // Unique per call, and sorting in creation order.
    const nextId = (prefix: string): string => `${prefix}${String(++counter).padStart(6, '0')}`;
    const clock = { t: 1_700_000_000_000, now: () => ++clock.t };

    const createUser = (username = nextId('user_'), displayName = username): Promise<UserRecord> =>
      store.createUser({ id: nextId('U'), username, displayName, passwordHash: 'hash', createdAt: clock.now() });

    const directMessage = (from: string, to: string, overrides: Partial<NewMessage> = {}): NewMessage => ({
      id: nextId('M'),
      conversationId: directConversationId(from, to),
      conversationType: 'direct',
      memberIds: [from, to],
      senderId: from,
      kind: 'text',
      body: { text: `hello ${counter}` },
      clientMsgId: nextId('c'),
      createdAt: clock.now(),
      ...overrides,
    });

    const expectCode = async (promise: Promise<unknown>, code: ErrorCode): Promise<void> => {
      const err: unknown = await promise.then(
        () => new Error('expected a rejection'),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ParleyError);
      expect((err as ParleyError).code).toBe(code);
    };

    beforeAll(async () => {
      handle = await makeStore();
      store = handle.store;
      await store.migrate();
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
        await expect(store.ping()).resolves.toBeUndefined();
      });
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
        await expectCode(createUser('BOB_contract'), 'USERNAME_TAKEN');
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
        await expectCode(store.updateProfile('nobody', { bio: 'x' }), 'NOT_FOUND');
      });
    });

    describe('groups', () => {
      it('creates a group with its members, roles and conversation in one go', async () => {
        const [owner, m1, m2] = [await createUser(), await createUser(), await createUser()];
        const groupId = nextId('G');
        const created = await store.createGroup({
          id: groupId,
          name: 'Team',
          ownerId: owner.id,
          memberIds: [m1.id, m2.id, m1.id, owner.id],
          createdAt: clock.now(),
        });
        expect(created).toMatchObject({ id: groupId, name: 'Team', ownerId: owner.id, memberCount: 3, muteAll: false });
        expect(await store.getGroup(groupId)).toEqual(created);
        const members = await store.listGroupMembers(groupId);
        expect(members.map((m) => [m.userId, m.role]).sort()).toEqual(
          [
            [owner.id, 'owner'],
            [m1.id, 'member'],
            [m2.id, 'member'],
          ].sort(),
        );
        expect(await store.getGroupMember(groupId, m2.id)).toMatchObject({ groupId, userId: m2.id, role: 'member' });
        expect(await store.getGroupMember(groupId, 'nobody')).toBeNull();
        expect(await store.listUserGroupIds(m1.id)).toEqual([groupId]);
        const conversation = await store.getMemberConversation(m2.id, groupConversationId(groupId));
        expect(conversation).toEqual({
          conversationId: groupConversationId(groupId),
          type: 'group',
          groupId,
          peerId: null,
          peerReadSeq: null,
          lastSeq: 0,
          deliveredSeq: 0,
          readSeq: 0,
          lastMessageAt: null,
        });
      });

      it('rejects unknown members and leaves nothing behind', async () => {
        const owner = await createUser();
        const groupId = nextId('G');
        await expectCode(
          store.createGroup({ id: groupId, name: 'X', ownerId: owner.id, memberIds: ['nobody'], createdAt: 1 }),
          'NOT_FOUND',
        );
        expect(await store.getGroup(groupId)).toBeNull();
        expect(await store.listUserGroupIds(owner.id)).toEqual([]);
        expect(await store.listMemberConversations(owner.id)).toEqual([]);
      });

      it('answers null / empty for unknown groups', async () => {
        expect(await store.getGroup('nope')).toBeNull();
        expect(await store.listGroupMembers('nope')).toEqual([]);
      });
    });

    describe('messages', () => {
      it('numbers a direct conversation 1..n and creates it with both members on the first message', async () => {
        const [a, b] = [await createUser(), await createUser()];
        const seqs: number[] = [];
        for (let i = 0; i < 3; i++) {
          const from = i === 1 ? b : a;
          const to = i === 1 ? a : b;
          const result = await store.appendMessage(directMessage(from.id, to.id, { body: { text: `m${i} ✓` } }));
          expect(result.duplicate).toBe(false);
          seqs.push(result.message.seq);
        }
        expect(seqs).toEqual([1, 2, 3]);
        const conversationId = directConversationId(a.id, b.id);
        const history = await store.getMessages(conversationId, { afterSeq: 0, limit: 10 });
        expect(history.map((m) => [m.seq, m.senderId, m.body.text])).toEqual([
          [1, a.id, 'm0 ✓'],
          [2, b.id, 'm1 ✓'],
          [3, a.id, 'm2 ✓'],
        ]);
        const forA = await store.getMemberConversation(a.id, conversationId);
        expect(forA).toMatchObject({ type: 'direct', peerId: b.id, groupId: null, lastSeq: 3 });
        expect(forA?.lastMessageAt).toBe(history[2].createdAt);
        // Each sender has read up to their own latest message.
        expect(forA).toMatchObject({ deliveredSeq: 3, readSeq: 3, peerReadSeq: 2 });
        expect(await store.getMemberConversation(b.id, conversationId)).toMatchObject({
          peerId: a.id,
          peerReadSeq: 3,
          deliveredSeq: 2,
          readSeq: 2,
        });
      });

      it('returns the original message for a repeated clientMsgId, storing nothing twice', async () => {
        const [a, b] = [await createUser(), await createUser()];
        const first = await store.appendMessage(directMessage(a.id, b.id, { clientMsgId: 'retry-1' }));
        const again = await store.appendMessage(
          directMessage(a.id, b.id, { clientMsgId: 'retry-1', body: { text: 'different' } }),
        );
        expect(again).toEqual({ message: first.message, duplicate: true });
        expect(await store.findMessageByClientMsgId(a.id, 'retry-1')).toEqual(first.message);
        expect(await store.findMessageByClientMsgId(b.id, 'never-sent')).toBeNull();
        // Another sender may use the same clientMsgId.
        const fromB = await store.appendMessage(directMessage(b.id, a.id, { clientMsgId: 'retry-1' }));
        expect(fromB).toMatchObject({ duplicate: false, message: { seq: 2 } });
        expect(await store.getMessages(first.message.conversationId, { afterSeq: 0, limit: 10 })).toHaveLength(2);
      });

      it('stores exactly one message when identical sends race', async () => {
        const [a, b] = [await createUser(), await createUser()];
        const results = await Promise.all(
          Array.from({ length: 8 }, () => store.appendMessage(directMessage(a.id, b.id, { clientMsgId: 'race' }))),
        );
        expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
        expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
        expect(results.every((r) => r.message.seq === 1)).toBe(true);
        expect((await store.getMemberConversation(a.id, results[0].message.conversationId))?.lastSeq).toBe(1);
      });

      it('gives 50 concurrent sends to a new conversation the seqs 1..50', async () => {
        const [a, b] = [await createUser(), await createUser()];
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.appendMessage(i % 2 ? directMessage(a.id, b.id) : directMessage(b.id, a.id)),
          ),
        );
        const seqs = results.map((r) => r.message.seq).sort((x, y) => x - y);
        expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        const stored = await store.getMessages(directConversationId(a.id, b.id), { afterSeq: 0, limit: 100 });
        expect(stored.map((m) => m.seq)).toEqual(seqs);
        expect((await store.getMemberConversation(a.id, directConversationId(a.id, b.id)))?.lastSeq).toBe(50);
      });

      it('appends to a group conversation created with the group', async () => {
        const [owner, member] = [await createUser(), await createUser()];
        const groupId = nextId('G');
        await store.createGroup({ id: groupId, name: 'G', ownerId: owner.id, memberIds: [member.id], createdAt: 1 });
        const conversationId = groupConversationId(groupId);
        const sent = await store.appendMessage({
          ...directMessage(member.id, owner.id),
          conversationId,
          conversationType: 'group',
          memberIds: [],
        });
        expect(sent.message).toMatchObject({ conversationId, seq: 1, senderId: member.id });
        expect(await store.getMemberConversation(owner.id, conversationId)).toMatchObject({ lastSeq: 1, readSeq: 0 });
        expect(await store.getMemberConversation(member.id, conversationId)).toMatchObject({ lastSeq: 1, readSeq: 1 });
      });

      it('rejects a new direct conversation with an unknown member', async () => {
        const a = await createUser();
        await expectCode(store.appendMessage(directMessage(a.id, 'nobody')), 'NOT_FOUND');
        expect(await store.listMemberConversations(a.id)).toEqual([]);
      });

      it('pages history before and after a seq, always ascending', async () => {
        const [a, b] = [await createUser(), await createUser()];
        for (let i = 0; i < 10; i++) await store.appendMessage(directMessage(a.id, b.id));
        const id = directConversationId(a.id, b.id);
        const seqsOf = async (range: Parameters<Store['getMessages']>[1]): Promise<number[]> =>
          (await store.getMessages(id, range)).map((m) => m.seq);
        expect(await seqsOf({ beforeSeq: 8, limit: 3 })).toEqual([5, 6, 7]);
        expect(await seqsOf({ beforeSeq: 3, limit: 5 })).toEqual([1, 2]);
        expect(await seqsOf({ afterSeq: 3, limit: 2 })).toEqual([4, 5]);
        expect(await seqsOf({ afterSeq: 2, beforeSeq: 6, limit: 10 })).toEqual([3, 4, 5]);
        expect(await seqsOf({ afterSeq: 10, limit: 5 })).toEqual([]);
        expect(await seqsOf({ limit: 3 })).toEqual([8, 9, 10]);
        expect(await store.getMessages('d:nobody:none', { afterSeq: 0, limit: 5 })).toEqual([]);
      });

      it('reads the pages after given seqs of several conversations at once', async () => {
        const [a, b, c] = [await createUser(), await createUser(), await createUser()];
        for (let i = 0; i < 6; i++) await store.appendMessage(directMessage(a.id, b.id));
        for (let i = 0; i < 2; i++) await store.appendMessage(directMessage(c.id, a.id));
        const ab = directConversationId(a.id, b.id);
        const ac = directConversationId(a.id, c.id);
        const pages = await store.getMessagesAfter(
          [
            { conversationId: ab, afterSeq: 1 },
            { conversationId: 'd:nobody:none', afterSeq: 0 },
            { conversationId: ac, afterSeq: 0 },
            { conversationId: ab, afterSeq: 4 },
          ],
          3,
        );
        expect(pages.map((page) => page.map((m) => [m.conversationId, m.seq]))).toEqual([
          [[ab, 2], [ab, 3], [ab, 4]],
          [],
          [[ac, 1], [ac, 2]],
          [[ab, 5], [ab, 6]],
        ]);
        expect(pages[0]).toEqual(await store.getMessages(ab, { afterSeq: 1, limit: 3 }));
        expect(await store.getMessagesAfter([], 3)).toEqual([]);
      });

      it('returns the last message of each conversation asked for', async () => {
        const [a, b, c] = [await createUser(), await createUser(), await createUser()];
        await store.appendMessage(directMessage(a.id, b.id));
        const lastAb = await store.appendMessage(directMessage(b.id, a.id));
        const lastAc = await store.appendMessage(directMessage(a.id, c.id));
        const last = await store.getLastMessages([lastAb.message.conversationId, lastAc.message.conversationId, 'd:x:y']);
        expect(last.sort((x, y) => x.id.localeCompare(y.id))).toEqual([lastAb.message, lastAc.message]);
        expect(await store.getLastMessages([])).toEqual([]);
      });
    });

    describe('member conversations and cursors', () => {
      it('lists a member\'s conversations, most recent activity first', async () => {
        const [me, p1, p2, owner] = [await createUser(), await createUser(), await createUser(), await createUser()];
        const groupId = nextId('G');
        await store.createGroup({ id: groupId, name: 'quiet', ownerId: owner.id, memberIds: [me.id], createdAt: 1 });
        await store.appendMessage(directMessage(p1.id, me.id));
        await store.appendMessage(directMessage(p2.id, me.id));
        await store.appendMessage(directMessage(p2.id, me.id));
        const list = await store.listMemberConversations(me.id);
        expect(list.map((c) => [c.conversationId, c.peerId, c.lastSeq, c.readSeq])).toEqual([
          [directConversationId(me.id, p2.id), p2.id, 2, 0],
          [directConversationId(me.id, p1.id), p1.id, 1, 0],
          [groupConversationId(groupId), null, 0, 0],
        ]);
        expect(await store.getMemberConversation(me.id, 'd:nobody:none')).toBeNull();
        expect(await store.getMemberConversation(owner.id, directConversationId(me.id, p1.id))).toBeNull();
      });

      it('moves cursors forward only and never past the last seq', async () => {
        const [a, b] = [await createUser(), await createUser()];
        for (let i = 0; i < 4; i++) await store.appendMessage(directMessage(a.id, b.id));
        const id = directConversationId(a.id, b.id);
        await store.advanceCursor(b.id, id, 'delivered', 3);
        await store.advanceCursor(b.id, id, 'read', 2);
        expect(await store.getMemberConversation(b.id, id)).toMatchObject({ deliveredSeq: 3, readSeq: 2 });
        await store.advanceCursor(b.id, id, 'delivered', 1);
        await store.advanceCursor(b.id, id, 'read', 1);
        expect(await store.getMemberConversation(b.id, id)).toMatchObject({ deliveredSeq: 3, readSeq: 2 });
        await store.advanceCursor(b.id, id, 'read', 99); // read implies delivered
        expect(await store.getMemberConversation(b.id, id)).toMatchObject({ deliveredSeq: 4, readSeq: 4, lastSeq: 4 });
        await store.advanceCursor(b.id, id, 'delivered', 99);
        expect(await store.getMemberConversation(b.id, id)).toMatchObject({ deliveredSeq: 4, readSeq: 4, lastSeq: 4 });
      });

      it('rejects cursors of non-members and unknown conversations', async () => {
        const [a, b, outsider] = [await createUser(), await createUser(), await createUser()];
        await store.appendMessage(directMessage(a.id, b.id));
        await expectCode(store.advanceCursor(outsider.id, directConversationId(a.id, b.id), 'read', 1), 'NOT_FOUND');
        await expectCode(store.advanceCursor(a.id, 'd:nobody:none', 'delivered', 1), 'NOT_FOUND');
      });
    });

    const socialContext = {
      store: () => store,
      createUser: () => createUser(),
      nextId,
      now: () => clock.now(),
      expectCode,
    };
    describeSocialContract(socialContext);
    describePeerRelationsContract({ ...socialContext, directMessage });
  });
}
