import type { PushSubscriptionRecord, PushTarget, Store } from '@parley/domain';
import { MAX_PINNED, groupConversationId, type Dnd } from '@parley/protocol';
import type { StoreContractContext } from './contract-context';

const DAY = 86_400_000;
/** Shaped as a browser gives them (65-byte P-256 point, 16-byte secret, base64url); the store does not check them. */
const P256DH = `B${'A'.repeat(86)}`;
const AUTH = 'Q'.repeat(22);

/** NotificationStore: push subscriptions per session, push targets, conversation settings (mute, notify, pins); the user's previews and DND. */
export function describeNotificationStoreContract(ctx: StoreContractContext): void {
  const { createUser, expectRefusal, newGroup, nextId, now } = ctx;

  describe('NotificationStore', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store();
    });

    /** A live session of the user (or one already expired). */
    const session = async (userId: string, { expired = false } = {}): Promise<string> => {
      const id = nextId('S');
      const at = now();
      const created = await store.createAuthSession({
        id,
        userId,
        refreshHash: nextId('h'),
        createdAt: at,
        expiresAt: expired ? at - 1 : at + DAY,
        userAgent: null,
        passwordHash: 'hash', // what ctx.createUser stores
      });
      expect(created).not.toBeNull();
      return id;
    };
    const endpoint = (): string => `https://push.example.com/send/${nextId('ep')}`;
    const subscribe = (userId: string, sessionId: string, url = endpoint()): Promise<PushSubscriptionRecord> =>
      store.savePushSubscription({ id: nextId('PS'), userId, sessionId, endpoint: url, p256dh: P256DH, auth: AUTH, createdAt: now() });
    /** A user with one live session and a subscription of it. */
    const subscribedUser = async (): Promise<{ userId: string; sessionId: string; subscription: PushSubscriptionRecord }> => {
      const { id: userId } = await createUser();
      const sessionId = await session(userId);
      return { userId, sessionId, subscription: await subscribe(userId, sessionId) };
    };
    /** The endpoints a message from `senderId` in the conversation would push to, sorted. */
    const targetsOf = async (conversationId: string, senderId: string): Promise<string[]> =>
      (await store.listPushTargets([{ conversationId, senderId }], now())).map((t) => t.endpoint).sort();

    describe('push subscriptions', () => {
      it('stores a subscription as given and lists it as a target of the conversations its user is in', async () => {
        const sender = await createUser();
        const { userId, sessionId, subscription } = await subscribedUser();
        expect(subscription).toEqual({
          id: expect.any(String),
          userId,
          sessionId,
          endpoint: expect.stringMatching(/^https:\/\/push\.example\.com\//),
          p256dh: P256DH,
          auth: AUTH,
          createdAt: expect.any(Number),
        });
        const conversationId = groupConversationId(await newGroup(sender.id, [userId]));
        const targets = await store.listPushTargets([{ conversationId, senderId: sender.id }], now());
        expect(targets).toEqual<PushTarget[]>([
          { ...subscription, conversationId, notify: 'all', mutedUntil: null, previews: false, dnd: null },
        ]);
      });

      it('replaces the session’s earlier subscription on a re-subscribe', async () => {
        const sender = await createUser();
        const { userId, sessionId, subscription: first } = await subscribedUser();
        const conversationId = groupConversationId(await newGroup(sender.id, [userId]));
        const second = await subscribe(userId, sessionId);
        expect(await targetsOf(conversationId, sender.id)).toEqual([second.endpoint]);
        expect(await store.deletePushSubscription(userId, first.endpoint)).toBe(false);
        // Another session of the same user keeps its own.
        const other = await subscribe(userId, await session(userId));
        expect(await targetsOf(conversationId, sender.id)).toEqual([second.endpoint, other.endpoint].sort());
      });

      it('takes the endpoint over from another user’s session (the browser signed in as someone else)', async () => {
        const sender = await createUser();
        const previous = await subscribedUser();
        const next = await subscribedUser();
        const conversationId = groupConversationId(await newGroup(sender.id, [previous.userId, next.userId]));
        const taken = await subscribe(next.userId, next.sessionId, previous.subscription.endpoint);
        const targets = await store.listPushTargets([{ conversationId, senderId: sender.id }], now());
        expect(targets.map((t) => [t.userId, t.endpoint])).toEqual([[next.userId, taken.endpoint]]);
        expect(await store.deletePushSubscription(previous.userId, taken.endpoint)).toBe(false);
      });

      it('deletes only the caller’s own subscription: someone else’s endpoint answers false and stays', async () => {
        const sender = await createUser();
        const owner = await subscribedUser();
        const stranger = await subscribedUser();
        const conversationId = groupConversationId(await newGroup(sender.id, [owner.userId]));
        expect(await store.deletePushSubscription(stranger.userId, owner.subscription.endpoint)).toBe(false);
        expect(await store.deletePushSubscription(owner.userId, 'https://push.example.com/never-subscribed')).toBe(false);
        expect(await targetsOf(conversationId, sender.id)).toEqual([owner.subscription.endpoint]);
        expect(await store.deletePushSubscription(owner.userId, owner.subscription.endpoint)).toBe(true);
        expect(await targetsOf(conversationId, sender.id)).toEqual([]);
        expect(await store.deletePushSubscription(owner.userId, owner.subscription.endpoint)).toBe(false);
      });

      it('deletes an expired endpoint whoever holds it (the push service answered 404/410)', async () => {
        const sender = await createUser();
        const holder = await subscribedUser();
        const conversationId = groupConversationId(await newGroup(sender.id, [holder.userId]));
        await store.deletePushSubscriptionByEndpoint('https://push.example.com/unknown');
        expect(await targetsOf(conversationId, sender.id)).toEqual([holder.subscription.endpoint]);
        await store.deletePushSubscriptionByEndpoint(holder.subscription.endpoint);
        expect(await targetsOf(conversationId, sender.id)).toEqual([]);
      });

      it('keeps one subscription per session when the session subscribes many times at once', async () => {
        const sender = await createUser();
        const { id: userId } = await createUser();
        const sessionId = await session(userId);
        const conversationId = groupConversationId(await newGroup(sender.id, [userId]));
        const saved = await Promise.all(Array.from({ length: 12 }, () => subscribe(userId, sessionId)));
        const targets = await targetsOf(conversationId, sender.id);
        expect(targets).toHaveLength(1);
        expect(saved.map((s) => s.endpoint)).toContain(targets[0]);
      });

      it('goes when its session is revoked, and refuses a session that does not exist', async () => {
        const sender = await createUser();
        const { userId, sessionId } = await subscribedUser();
        const conversationId = groupConversationId(await newGroup(sender.id, [userId]));
        expect(await store.revokeAuthSession(sessionId, 'logout', now())).toBe(true);
        expect(await targetsOf(conversationId, sender.id)).toEqual([]);
        await expectRefusal(subscribe(userId, 'no-such-session'), 'NOT_FOUND', 'referenced-missing');
      });
    });

    describe('listPushTargets', () => {
      it('returns the members but the sender with a subscription of a live session, with their settings, in one batch', async () => {
        const sender = await subscribedUser();
        const member = await subscribedUser();
        const revoked = await subscribedUser();
        const { id: expiredUserId } = await createUser();
        await subscribe(expiredUserId, await session(expiredUserId, { expired: true }));
        const { id: unsubscribedId } = await createUser();
        const outsider = await subscribedUser();
        const groupId = await newGroup(sender.userId, [member.userId, revoked.userId, expiredUserId, unsubscribedId]);
        const group = groupConversationId(groupId);
        await store.revokeUserAuthSessions(revoked.userId, 'logout-all', now());
        // A direct conversation exists once it has a message.
        const direct = (await store.appendMessage(ctx.directMessage(outsider.userId, member.userId))).message.conversationId;

        const dnd: Dnd = { start: '22:00', end: '07:30', timeZone: 'Asia/Shanghai' };
        await store.updateProfile(member.userId, { previews: true, dnd });
        const mutedUntil = now() + DAY;
        await store.updateConversationSettings(member.userId, group, { notify: 'mentions', mutedUntil });

        const targets = await store.listPushTargets(
          [
            { conversationId: group, senderId: sender.userId },
            { conversationId: direct, senderId: outsider.userId },
          ],
          now(),
        );
        const byConversation = (id: string) => targets.filter((t) => t.conversationId === id);
        expect(byConversation(group)).toEqual([
          { ...member.subscription, conversationId: group, notify: 'mentions', mutedUntil, previews: true, dnd },
        ]);
        expect(byConversation(direct)).toEqual([
          { ...member.subscription, conversationId: direct, notify: 'all', mutedUntil: null, previews: true, dnd },
        ]);
        expect(targets).toHaveLength(2);
      });

      it('leaves out a member only where every message of the batch in that conversation is theirs', async () => {
        const a = await subscribedUser();
        const b = await subscribedUser();
        const group = groupConversationId(await newGroup(a.userId, [b.userId]));
        const users = async (entries: { conversationId: string; senderId: string }[]) =>
          (await store.listPushTargets(entries, now())).map((t) => t.userId).sort();
        expect(await users([{ conversationId: group, senderId: a.userId }])).toEqual([b.userId]);
        expect(await users([{ conversationId: group, senderId: a.userId }, { conversationId: group, senderId: a.userId }])).toEqual([b.userId]);
        // Two senders in one batch: each is a target of the other's message (once each; the caller pairs them).
        expect(await users([{ conversationId: group, senderId: a.userId }, { conversationId: group, senderId: b.userId }])).toEqual(
          [a.userId, b.userId].sort(),
        );
      });

      it('returns nothing for members without subscriptions, an empty batch, or a conversation nobody is in', async () => {
        const owner = await createUser();
        const member = await createUser();
        const group = groupConversationId(await newGroup(owner.id, [member.id]));
        expect(await store.listPushTargets([{ conversationId: group, senderId: owner.id }], now())).toEqual([]);
        expect(await store.listPushTargets([], now())).toEqual([]);
        expect(await store.listPushTargets([{ conversationId: 'g:nothing', senderId: owner.id }], now())).toEqual([]);
      });

      it('stops at the session’s expiry', async () => {
        const sender = await createUser();
        const { userId, sessionId } = await subscribedUser();
        const group = groupConversationId(await newGroup(sender.id, [userId]));
        const expiresAt = (await store.getAuthSession(sessionId))?.expiresAt ?? 0;
        expect(await store.listPushTargets([{ conversationId: group, senderId: sender.id }], expiresAt - 1)).toHaveLength(1);
        expect(await store.listPushTargets([{ conversationId: group, senderId: sender.id }], expiresAt)).toEqual([]);
      });
    });

    describe('updateConversationSettings', () => {
      it('patches one member’s settings, returns them and shows them in the member’s conversation; null unmutes', async () => {
        const owner = await createUser();
        const member = await createUser();
        const conversationId = groupConversationId(await newGroup(owner.id, [member.id]));
        const until = now() + DAY;
        expect(await store.updateConversationSettings(member.id, conversationId, { notify: 'none', mutedUntil: until })).toEqual({
          conversationId,
          notify: 'none',
          mutedUntil: until,
          pinnedAt: null,
        });
        expect(await store.getMemberConversation(member.id, conversationId)).toMatchObject({ notify: 'none', mutedUntil: until, pinnedAt: null });
        // Another member's settings are their own.
        expect(await store.getMemberConversation(owner.id, conversationId)).toMatchObject({ notify: 'all', mutedUntil: null, pinnedAt: null });
        expect(await store.updateConversationSettings(member.id, conversationId, { mutedUntil: null })).toEqual({
          conversationId,
          notify: 'none',
          mutedUntil: null,
          pinnedAt: null,
        });
      });

      it('refuses a user who is not a member (not-in-conversation), changing nothing', async () => {
        const owner = await createUser();
        const outsider = await createUser();
        const conversationId = groupConversationId(await newGroup(owner.id));
        await expectRefusal(store.updateConversationSettings(outsider.id, conversationId, { pinnedAt: now() }), 'NOT_FOUND', 'not-in-conversation');
        await expectRefusal(store.updateConversationSettings(owner.id, 'g:missing', { notify: 'none' }), 'NOT_FOUND', 'not-in-conversation');
        expect(await store.getMemberConversation(owner.id, conversationId)).toMatchObject({ notify: 'all', pinnedAt: null });
      });

      it(`pins at most ${MAX_PINNED}: the next is too-many-pins; repinning does not count twice; unpinning frees a place`, async () => {
        const user = await createUser();
        const conversations: string[] = [];
        for (let i = 0; i <= MAX_PINNED; i++) conversations.push(groupConversationId(await newGroup(user.id)));
        const [first, ...others] = conversations;
        const extra = others.pop();
        if (first === undefined || extra === undefined) throw new Error('groups missing');
        const pinnedAtFirst = now();
        await store.updateConversationSettings(user.id, first, { pinnedAt: pinnedAtFirst });
        for (const id of others) await store.updateConversationSettings(user.id, id, { pinnedAt: now() });

        await expectRefusal(store.updateConversationSettings(user.id, extra, { pinnedAt: now() }), 'CONFLICT', 'too-many-pins');
        expect(await store.getMemberConversation(user.id, extra)).toMatchObject({ pinnedAt: null });
        // Pinning one already pinned is no new pin, and keeps its pin time.
        expect(await store.updateConversationSettings(user.id, first, { pinnedAt: now() })).toMatchObject({ pinnedAt: pinnedAtFirst });
        // Other settings of a pinned conversation change at the limit too.
        expect(await store.updateConversationSettings(user.id, first, { notify: 'mentions' })).toMatchObject({ notify: 'mentions', pinnedAt: pinnedAtFirst });

        expect(await store.updateConversationSettings(user.id, first, { pinnedAt: null })).toMatchObject({ pinnedAt: null });
        const lastPin = now();
        expect(await store.updateConversationSettings(user.id, extra, { pinnedAt: lastPin })).toMatchObject({ pinnedAt: lastPin });
        await expectRefusal(store.updateConversationSettings(user.id, first, { pinnedAt: now() }), 'CONFLICT', 'too-many-pins');
      });

      it(`pins at most ${MAX_PINNED} when many pins arrive at once`, async () => {
        const user = await createUser();
        const conversations: string[] = [];
        for (let i = 0; i < MAX_PINNED + 3; i++) conversations.push(groupConversationId(await newGroup(user.id)));
        const outcomes = await Promise.allSettled(conversations.map((id) => store.updateConversationSettings(user.id, id, { pinnedAt: now() })));
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(MAX_PINNED);
        const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as { reason?: string }).reason] : []));
        expect(refused).toEqual(['too-many-pins', 'too-many-pins', 'too-many-pins']);
        const pinned = (await store.listMemberConversations(user.id)).filter((c) => c.pinnedAt !== null);
        expect(pinned).toHaveLength(MAX_PINNED);
      });

      it('lists pinned conversations first, latest pin first, then by activity', async () => {
        const user = await createUser();
        const peer = await createUser();
        const quiet = groupConversationId(await newGroup(user.id));
        const older = groupConversationId(await newGroup(user.id));
        const active = (await store.appendMessage(ctx.directMessage(peer.id, user.id))).message.conversationId;
        await store.updateConversationSettings(user.id, older, { pinnedAt: now() });
        await store.updateConversationSettings(user.id, quiet, { pinnedAt: now() });
        const listed = await store.listMemberConversations(user.id);
        expect(listed.map((c) => c.conversationId)).toEqual([quiet, older, active]);
        expect(listed[2]).toMatchObject({ notify: 'all', mutedUntil: null, pinnedAt: null });
      });

      it('goes with the membership when the member leaves', async () => {
        const owner = await createUser();
        const member = await createUser();
        const groupId = await newGroup(owner.id, [member.id]);
        const conversationId = groupConversationId(groupId);
        await store.updateConversationSettings(member.id, conversationId, { notify: 'none', pinnedAt: now() });
        await store.removeGroupMember(groupId, member.id);
        await store.addGroupMembers(groupId, [member.id], now(), 100);
        expect(await store.getMemberConversation(member.id, conversationId)).toMatchObject({ notify: 'all', mutedUntil: null, pinnedAt: null });
      });
    });

    describe('user notification settings', () => {
      it('start off, round-trip previews and DND, and null turns DND off', async () => {
        const user = await createUser();
        expect(user).toMatchObject({ previews: false, dnd: null });
        expect(await store.getUser(user.id)).toMatchObject({ previews: false, dnd: null });
        const dnd: Dnd = { start: '23:00', end: '08:00', timeZone: 'Europe/Berlin' };
        expect(await store.updateProfile(user.id, { previews: true, dnd })).toMatchObject({ previews: true, dnd });
        expect(await store.getUser(user.id)).toMatchObject({ previews: true, dnd, displayName: user.displayName });
        expect(await store.updateProfile(user.id, { bio: 'b' })).toMatchObject({ previews: true, dnd });
        expect(await store.updateProfile(user.id, { dnd: null })).toMatchObject({ previews: true, dnd: null });
        expect(await store.updateProfile(user.id, { previews: false })).toMatchObject({ previews: false, dnd: null });
      });

      it('account deletion removes the subscriptions of every session and resets the settings', async () => {
        const sender = await createUser();
        const { userId, subscription } = await subscribedUser();
        const expired = await subscribe(userId, await session(userId, { expired: true }));
        await store.updateProfile(userId, { previews: true, dnd: { start: '22:00', end: '06:00', timeZone: 'UTC' } });
        const conversationId = groupConversationId(await newGroup(sender.id, [userId]));
        await store.deleteUser(userId, now());
        expect(await store.getUser(userId)).toMatchObject({ previews: false, dnd: null });
        expect(await targetsOf(conversationId, sender.id)).toEqual([]);
        // The rows are gone, not only hidden: a new holder of the endpoint starts clean.
        expect(await store.deletePushSubscription(userId, subscription.endpoint)).toBe(false);
        expect(await store.deletePushSubscription(userId, expired.endpoint)).toBe(false);
      });
    });
  });
}
