import type { AppendResult, NewMessage } from '@parley/domain';
import { ParleyError, directConversationId, groupConversationId } from '@parley/protocol';
import { at, createTestDatabase } from '@parley/testing';
import { settle } from '../batch-queue';
import { MysqlStore, type MysqlStoreOptions } from './store';

/*
 * The group commit of MysqlStore.appendMessage: batches, seq order across
 * concurrent batches and stores, duplicates within and across batches, one
 * bad message in a batch. (The Store contract covers the one-by-one
 * semantics; an unreachable server is in store.int.spec.ts.)
 */

const serverUrl = (): string => {
  const url = process.env.PARLEY_TEST_MYSQL_URL;
  if (!url) throw new Error('PARLEY_TEST_MYSQL_URL is not set (the jest global setup starts MariaDB)');
  return url;
};

/** A tuple of `N` strings. */
type Ids<N extends number, T extends string[] = []> = T['length'] extends N ? T : Ids<N, [...T, string]>;

describe('MysqlStore group commit', () => {
  let database: { url: string; drop(): Promise<void> };
  const stores: MysqlStore[] = [];
  let counter = 0;
  const nextId = (prefix: string): string => `${prefix}${String(++counter).padStart(6, '0')}`;

  const open = async (options: Partial<MysqlStoreOptions> = {}): Promise<MysqlStore> => {
    const store = new MysqlStore({ url: database.url, ...options });
    stores.push(store);
    await store.migrate();
    return store;
  };

  /** `n` new users' ids, created one after another: a tuple of `n` strings, so `const [a, b] = await users(store, 2)` needs no checks. */
  const users = async <N extends number>(store: MysqlStore, n: N): Promise<Ids<N>> => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = nextId('U');
      await store.createUser({ id, username: id, displayName: id, passwordHash: 'h', createdAt: 1 });
      ids.push(id);
    }
    return ids as Ids<N>; // the loop pushed exactly n ids
  };

  const direct = (from: string, to: string, overrides: Partial<NewMessage> = {}): NewMessage => ({
    id: nextId('M'),
    conversationId: directConversationId(from, to),
    conversationType: 'direct',
    memberIds: [from, to],
    senderId: from,
    kind: 'text',
    body: { text: `hello ${counter}` },
    clientMsgId: nextId('c'),
    createdAt: 1_700_000_000_000 + counter,
    ...overrides,
  });

  beforeAll(async () => {
    database = await createTestDatabase(serverUrl());
  });

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await database.drop();
  });

  it('gives 200 concurrent appends over 5 conversations from two stores seqs 1..n, committed in seq order', async () => {
    // Small batches, several in flight per store, two stores: batches race for the same conversation rows.
    const [first, second] = [
      await open({ maxBatchSize: 16, maxConcurrentBatches: 4 }),
      await open({ maxBatchSize: 16, maxConcurrentBatches: 4 }),
    ];
    const [owner, ...people] = await users(first, 9);
    const groupId = nextId('G');
    await first.createGroup({ id: groupId, name: 'G', ownerId: owner, memberIds: people, createdAt: 1 });
    const conversations = [
      ...[0, 2, 4, 6].map((i) => {
        const pair = [at(people, i, 'user'), at(people, i + 1, 'user')] as const;
        return { id: directConversationId(...pair), members: [...pair] };
      }),
      { id: groupConversationId(groupId), members: [owner, ...people] },
    ];
    const message = (n: number): NewMessage => {
      const { id, members } = at(conversations, n % conversations.length, 'conversation');
      const from = at(members, Math.floor(n / conversations.length) % members.length, 'member');
      if (id.startsWith('g:')) return { ...direct(from, owner), conversationId: id, conversationType: 'group', memberIds: [] };
      return direct(from, members.find((m) => m !== from) ?? from);
    };

    // A reader polls while the appends run: a later seq committed before an earlier one would show as a gap.
    let writing = true;
    const gaps: string[] = [];
    let polls = 0;
    const reader = (async () => {
      while (writing) {
        for (const { id } of conversations) {
          const seqs = (await first.getMessages(owner, id, { afterSeq: 0, limit: 1000 })).map((m) => m.seq);
          if (seqs.some((s, i) => s !== i + 1)) gaps.push(`${id}: ${seqs.join(',')}`);
        }
        polls++;
      }
    })();
    const sent = Array.from({ length: 200 }, (_, n) => message(n));
    const results = await Promise.all(sent.map((m, n) => (n % 2 ? second : first).appendMessage(m))).finally(() => (writing = false));
    await reader;
    expect(gaps).toEqual([]);
    expect(polls).toBeGreaterThan(0);

    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(results.map((r) => r.message.id)).toEqual(sent.map((m) => m.id));
    for (const { id, members } of conversations) {
      const mine = results.filter((r) => r.message.conversationId === id).map((r) => r.message);
      expect(mine.map((m) => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      const stored = await second.getMessages(owner, id, { afterSeq: 0, limit: 100 });
      expect(stored).toEqual([...mine].sort((a, b) => a.seq - b.seq));
      // Each sender has read up to their own latest message; nobody else moved.
      for (const member of members) {
        const own = mine.filter((m) => m.senderId === member).map((m) => m.seq);
        const cursor = await second.getMemberConversation(member, id);
        expect(cursor).toMatchObject({ lastSeq: 40, readSeq: Math.max(0, ...own), deliveredSeq: Math.max(0, ...own) });
      }
    }
  });

  it('assigns the seqs of one batch in submission order and creates new conversations with their members', async () => {
    const store = await open();
    const [a, b, c] = await users(store, 3);
    // Submitted in one turn: one batch.
    const sent = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? direct(a, c) : i % 2 ? direct(a, b) : direct(b, a)));
    const results = await Promise.all(sent.map((m) => store.appendMessage(m)));
    const seqsOf = (conversationId: string): number[] =>
      results.filter((r) => r.message.conversationId === conversationId).map((r) => r.message.seq);
    expect(seqsOf(directConversationId(a, b))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(seqsOf(directConversationId(a, c))).toEqual([1, 2, 3, 4]);
    expect(await store.getMemberConversation(c, directConversationId(a, c))).toMatchObject({ peerId: a, lastSeq: 4, readSeq: 0 });
    expect(await store.getMemberConversation(a, directConversationId(a, c))).toMatchObject({ peerId: c, lastSeq: 4, readSeq: 4 });
    // a -> b are sends 1, 5, 7, 11 (seqs 1, 4, 5, 8); b -> a are sends 2, 4, 8, 10 (seqs 2, 3, 6, 7).
    expect(results.filter((r) => r.message.senderId === b).map((r) => r.message.seq)).toEqual([2, 3, 6, 7]);
    expect(await store.getMemberConversation(b, directConversationId(a, b))).toMatchObject({ lastSeq: 8, readSeq: 7 });
    expect(await store.getMemberConversation(a, directConversationId(a, b))).toMatchObject({ lastSeq: 8, readSeq: 8 });
  });

  it('stores the mentions and quotes of a batch under the seqs it assigns, in every conversation of the batch', async () => {
    const store = await open();
    const [owner, a, b] = await users(store, 3);
    const groupId = nextId('G');
    await store.createGroup({ id: groupId, name: 'G', ownerId: owner, memberIds: [a, b], createdAt: 1 });
    const conversationId = groupConversationId(groupId);
    const inGroup = (from: string, overrides: Partial<NewMessage> = {}): NewMessage =>
      direct(from, owner, { conversationId, conversationType: 'group', memberIds: [], ...overrides });
    const quoted = (await store.appendMessage(inGroup(owner, { body: { text: 'the plan' } }))).message;
    // One turn, one batch: a new direct conversation between two group messages, so slots differ per conversation.
    const sent = [
      inGroup(a),
      direct(a, b),
      inGroup(owner, { mentions: [b] }),
      inGroup(a, { replyTo: quoted.id, mentions: [owner] }),
      direct(b, a),
    ];
    const results = await Promise.all(sent.map((m) => store.appendMessage(m)));
    expect(results.map((r) => [r.message.conversationId, r.message.seq])).toEqual([
      [conversationId, 2],
      [directConversationId(a, b), 1],
      [conversationId, 3],
      [conversationId, 4],
      [directConversationId(a, b), 2],
    ]);
    expect(at(results, 3, 'reply').message.quote).toMatchObject({ senderId: owner, text: 'the plan' });
    const digest = async (user: string, readSeq: number) => (await store.getConversationDigests(user, [{ conversationId, readSeq }]))[0];
    // b is mentioned at seq 3, the owner at seq 4: read up to just before, the mention shows; read up to it, it is gone.
    expect(await digest(b, 2)).toMatchObject({ mentioned: true });
    expect(await digest(b, 3)).toMatchObject({ mentioned: false });
    expect(await digest(owner, 3)).toMatchObject({ mentioned: true });
    expect(await digest(owner, 4)).toMatchObject({ mentioned: false });
    // The stored rows carry the acked seqs, and the new direct conversation got both members.
    expect(await store.getMessages(a, directConversationId(a, b), { afterSeq: 0, limit: 10 })).toEqual(
      [at(results, 1, 'a to b'), at(results, 4, 'b to a')].map((r) => r.message),
    );
    expect(await store.getMemberConversation(a, directConversationId(a, b))).toMatchObject({ lastSeq: 2, readSeq: 1 });
    expect(await store.getMemberConversation(b, directConversationId(a, b))).toMatchObject({ lastSeq: 2, readSeq: 2 });
    expect(await store.getMemberConversation(a, conversationId)).toMatchObject({ lastSeq: 4, readSeq: 4 });
  });

  it('adds the members of a new conversation whose first transaction failed when a later one creates it', async () => {
    const store = await open();
    const [a, b, c] = await users(store, 3);
    const taken = (await store.appendMessage(direct(a, c))).message;
    // The first message of a <-> b reuses a stored message id: its transaction, conversation row included, rolls back.
    await expect(store.appendMessage(direct(a, b, { id: taken.id }))).rejects.toBeDefined();
    expect(await store.getMemberConversation(b, directConversationId(a, b))).toBeNull();
    const first = (await store.appendMessage(direct(a, b))).message;
    expect(first.seq).toBe(1);
    expect(await store.getMemberConversation(b, directConversationId(a, b))).toMatchObject({ peerId: a, lastSeq: 1, readSeq: 0 });
    // Later appends to the conversation (now known to this store) keep both members as they are.
    await store.appendMessage(direct(b, a));
    expect(await store.getMemberConversation(a, directConversationId(a, b))).toMatchObject({ lastSeq: 2, readSeq: 1 });
    expect(await store.getMemberConversation(b, directConversationId(a, b))).toMatchObject({ lastSeq: 2, readSeq: 2 });
  });

  it('stores one row per clientMsgId when identical sends race within a batch and across batches and stores', async () => {
    const [first, second] = [
      await open({ maxBatchSize: 4, maxConcurrentBatches: 4 }),
      await open({ maxBatchSize: 4, maxConcurrentBatches: 4 }),
    ];
    const [a, b] = await users(first, 2);
    const keys = ['k0', 'k1', 'k2'];
    const results: AppendResult[] = await Promise.all(
      Array.from({ length: 60 }, (_, n) =>
        (n % 2 ? second : first).appendMessage(direct(a, b, { clientMsgId: at(keys, n % 3, 'key'), body: { text: `attempt ${n}` } })),
      ),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(3);
    for (const key of keys) {
      const answers = results.filter((r) => r.message.clientMsgId === key);
      expect(answers).toHaveLength(20);
      expect(new Set(answers.map((r) => JSON.stringify(r.message))).size).toBe(1);
    }
    const stored = await first.getMessages(a, directConversationId(a, b), { afterSeq: 0, limit: 100 });
    expect(stored.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(stored.map((m) => m.clientMsgId).sort()).toEqual(keys);
    expect(stored).toEqual(expect.arrayContaining(keys.map((k) => results.find((r) => r.message.clientMsgId === k)?.message)));
    // A retry later answers with the original too.
    const retry = await second.appendMessage(direct(a, b, { clientMsgId: 'k1' }));
    expect(retry).toEqual({ duplicate: true, message: stored.find((m) => m.clientMsgId === 'k1') });
  });

  it('answers retries of stored messages inside a batch with the originals, and stores the new ones with no seq gap', async () => {
    const store = await open({ maxBatchSize: 50, maxConcurrentBatches: 1 });
    const [a, b] = await users(store, 2);
    const first = await Promise.all(['r0', 'r1', 'r2'].map((key) => store.appendMessage(direct(a, b, { clientMsgId: key }))));
    // One batch: three retries (the optimistic insert hits the unique key) and three new messages.
    const mixed = await Promise.all(
      ['r0', 'n0', 'r1', 'n1', 'r2', 'n2'].map((key) => store.appendMessage(direct(a, b, { clientMsgId: key }))),
    );
    expect(mixed.map((r) => r.duplicate)).toEqual([true, false, true, false, true, false]);
    // The retries are at the even positions, the new messages at the odd ones.
    expect(mixed.filter((_, i) => i % 2 === 0).map((r) => r.message)).toEqual(first.map((r) => r.message));
    expect(mixed.filter((_, i) => i % 2 === 1).map((r) => r.message.seq)).toEqual([4, 5, 6]);
    const stored = await store.getMessages(a, directConversationId(a, b), { afterSeq: 0, limit: 100 });
    expect(stored.map((m) => [m.seq, m.clientMsgId])).toEqual([
      [1, 'r0'], [2, 'r1'], [3, 'r2'], [4, 'n0'], [5, 'n1'], [6, 'n2'],
    ]);
  });

  it('stores the rest of a batch when some of its messages break a constraint', async () => {
    const store = await open();
    const [a, b, c] = await users(store, 3);
    const missingGroup = { conversationId: groupConversationId('no-such-group'), conversationType: 'group' as const, memberIds: [] };
    const sent = [
      direct(a, b),
      direct(a, b, missingGroup), // foreign key: the group does not exist
      direct(b, a),
      direct(c, 'nobody'), // foreign key: unknown member of a new direct conversation
      direct(a, b),
    ] as const;
    // Submitted in one turn: one batch, which fails and is re-run message by message.
    const outcomes = await Promise.all(sent.map((m) => settle(store.appendMessage(m))));
    expect(outcomes.map((o) => (o.ok ? o.value.message.seq : (o.error as ParleyError).code))).toEqual([
      1,
      'NOT_FOUND',
      2,
      'NOT_FOUND',
      3,
    ]);
    expect((await store.getMessages(a, directConversationId(a, b), { afterSeq: 0, limit: 10 })).map((m) => m.id)).toEqual(
      [sent[0], sent[2], sent[4]].map((m) => m.id),
    );
    expect(await store.listMemberConversations(c)).toEqual([]);
  });

  it('commits what is queued on close() and refuses appends afterwards', async () => {
    const store = new MysqlStore({ url: database.url, maxBatchSize: 5, maxConcurrentBatches: 1 });
    await store.migrate();
    const [a, b] = await users(store, 2);
    const pending = Array.from({ length: 20 }, () => store.appendMessage(direct(a, b)));
    await store.close();
    expect((await Promise.all(pending)).map((r) => r.message.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await expect(store.appendMessage(direct(a, b))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const reader = await open();
    expect(await reader.getMemberConversation(a, directConversationId(a, b))).toMatchObject({ lastSeq: 20, readSeq: 20 });
  });
});
