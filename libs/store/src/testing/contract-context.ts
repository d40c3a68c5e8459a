import { StoreError, type FriendRequestRecord, type NewChange, type NewMessage, type Store, type StoreErrorReason, type UserRecord } from '@parley/domain';
import { directConversationId, type ErrorCode, type Message } from '@parley/protocol';

/**
 * What every aggregate's contract suite gets from the Store contract: the
 * store under test (migrated, shared by the suites) and helpers that make
 * fresh rows. Ids are unique per call and sort in creation order.
 */
export interface StoreContractContext {
  /** The store under test; call it inside a test or hook, not while describing. */
  store(): Store;
  createUser(username?: string, displayName?: string): Promise<UserRecord>;
  nextId(prefix: string): string;
  /** A clock that moves forward on every read. */
  now(): number;
  /** A direct message from one user to another, ready to append. */
  directMessage(from: string, to: string, overrides?: Partial<NewMessage>): NewMessage;
  /** A change by `actorId` to `target`, with a fresh id and time, ready to apply. */
  change(target: Message, actorId: string, fields: Pick<NewChange, 'type'> & Partial<NewChange>): NewChange;
  /** A group owned by `ownerId` with those members; answers its id. */
  newGroup(ownerId: string, memberIds?: string[]): Promise<string>;
  /** A pending friend request from one user to another. */
  friendRequest(fromUserId: string, toUserId: string, note?: string | null): Promise<FriendRequestRecord>;
  /** Rejects with a StoreError of that code naming that reason (the engine wrote no wording of its own). */
  expectRefusal(promise: Promise<unknown>, code: ErrorCode, reason: StoreErrorReason): Promise<void>;
}

export function storeContractContext(store: () => Store): StoreContractContext {
  let counter = 0;
  const nextId = (prefix: string): string => `${prefix}${String(++counter).padStart(6, '0')}`;
  const clock = { t: 1_700_000_000_000, now: () => ++clock.t };
  const rejection = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => new Error('expected a rejection'),
      (e: unknown) => e,
    );

  const ctx: StoreContractContext = {
    store,
    nextId,
    now: clock.now,
    createUser: (username = nextId('user_'), displayName = username) =>
      store().createUser({ id: nextId('U'), username, displayName, passwordHash: 'hash', createdAt: clock.now() }),
    directMessage: (from, to, overrides = {}) => ({
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
    }),
    change: (target, actorId, fields) => ({
      id: nextId('E'),
      conversationId: target.conversationId,
      actorId,
      targetId: target.id,
      createdAt: clock.now(),
      ...fields,
    }),
    async newGroup(ownerId, memberIds = []) {
      const id = nextId('G');
      await store().createGroup({ id, name: `group ${id}`, ownerId, memberIds, createdAt: clock.now() });
      return id;
    },
    friendRequest: (fromUserId, toUserId, note = null) =>
      store().createFriendRequest({ id: nextId('FR'), fromUserId, toUserId, note, createdAt: clock.now() }),
    async expectRefusal(promise, code, reason) {
      const err = await rejection(promise);
      expect(err).toBeInstanceOf(StoreError);
      expect({ code: (err as StoreError).code, reason: (err as StoreError).reason }).toEqual({ code, reason });
    },
  };
  return ctx;
}
