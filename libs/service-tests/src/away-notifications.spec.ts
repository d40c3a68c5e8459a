import { ConversationSettingsService, MessagingService, NotificationService, type PushRequest, type Pusher } from '@parley/domain';
import { sequenceIds } from '@parley/domain/testing';
import { directConversationId, groupConversationId, pushPayloadSchema, type PushPayload } from '@parley/protocol';
import { createSocialWorld, type SocialWorld } from './support/social-world';

const DAY = 86_400_000;
const P256DH = 'B'.repeat(87);
const AUTH = 'A'.repeat(22);

/**
 * Pushes to members who are away, from a stored message to the Pusher:
 * MessagingService -> NotificationService over the real SQLite store and
 * the memory presence engine; the pusher records what it is given.
 */
describe('pushes to away members', () => {
  let w: SocialWorld;
  let messaging: MessagingService;
  let notifications: NotificationService;
  let settings: ConversationSettingsService;
  let pushed: PushRequest[];
  let counter = 0;

  beforeEach(async () => {
    w = await createSocialWorld();
    await w.addUsers('alice', 'bob', 'carol');
    await w.befriend('alice', 'bob');
    await w.befriend('alice', 'carol');
    pushed = [];
    const pusher: Pusher = { push: (r) => pushed.push(...r), flush: async () => {}, close: async () => {} };
    notifications = new NotificationService({ store: w.store, presence: w.presence, pusher, clock: w.clock, awayAfterMs: 60_000 });
    messaging = new MessagingService({ store: w.store, notifier: w.notifier, ids: sequenceIds('m'), clock: w.clock, awayNotifications: notifications });
    settings = new ConversationSettingsService({ store: w.store, notifier: w.notifier, clock: w.clock });
    for (const userId of ['alice', 'bob', 'carol']) await subscribe(userId);
  });

  afterEach(() => w.close());

  async function subscribe(userId: string): Promise<void> {
    const sessionId = `sess-${userId}`;
    await w.store.createAuthSession({ id: sessionId, userId, refreshHash: `h-${userId}`, createdAt: w.clock.now(), expiresAt: w.clock.now() + DAY, userAgent: null, passwordHash: 'x' });
    await w.store.savePushSubscription({ id: `ps-${userId}`, userId, sessionId, endpoint: `https://push.example/${userId}`, p256dh: P256DH, auth: AUTH, createdAt: w.clock.now() });
  }

  const send = async (from: string, to: { type: 'user' | 'group'; id: string }, text: string, extra: { clientMsgId?: string; mentions?: string[] } = {}) => {
    const message = await messaging.send(from, { to, clientMsgId: extra.clientMsgId ?? `c${++counter}`, kind: 'text', body: { text }, mentions: extra.mentions });
    await notifications.idle();
    return message;
  };
  const sent = (): { endpoint: string; payload: PushPayload }[] =>
    pushed.map((r) => ({ endpoint: r.destination.endpoint, payload: pushPayloadSchema.parse(JSON.parse(r.payload)) }));

  it('pushes a direct message to the offline recipient exactly once, never to the sender, never again for a retry or an edit', async () => {
    const message = await send('alice', { type: 'user', id: 'bob' }, 'hello', { clientMsgId: 'once' });
    expect(sent()).toEqual([
      {
        endpoint: 'https://push.example/bob',
        payload: { type: 'message', conversationId: directConversationId('alice', 'bob'), messageId: message.id, seq: message.seq, mention: false, url: `/?c=${encodeURIComponent(message.conversationId)}` },
      },
    ]);
    expect(pushed[0]).toMatchObject({ ttlSec: 86_400, urgency: 'high', destination: { p256dh: P256DH, auth: AUTH } });
    await send('alice', { type: 'user', id: 'bob' }, 'hello', { clientMsgId: 'once' });
    await messaging.edit('alice', { messageId: message.id, body: { text: 'hello!' } });
    await notifications.idle();
    expect(pushed).toHaveLength(1);
  });

  it('shows the sender and the text only to a user who turned previews on', async () => {
    await w.store.updateProfile('bob', { previews: true });
    await send('alice', { type: 'user', id: 'bob' }, 'see this');
    expect(sent().map((s) => s.payload)).toEqual([expect.objectContaining({ title: 'ALICE', text: 'see this' })]);
  });

  it('pushes nothing to a user with a visible session, and once all are hidden long enough', async () => {
    await w.presence.addSession('bob', 'sock-1', 'n1');
    await send('alice', { type: 'user', id: 'bob' }, 'online');
    expect(pushed).toEqual([]);
    await w.presence.setVisibility('bob', 'sock-1', false, w.clock.now());
    w.clock.t += 59_999;
    await send('alice', { type: 'user', id: 'bob' }, 'hidden a moment');
    expect(pushed).toEqual([]);
    w.clock.t += 1;
    await send('alice', { type: 'user', id: 'bob' }, 'hidden long enough');
    expect(pushed).toHaveLength(1);
  });

  it('respects mute, notify none and mentions-only in a group', async () => {
    const { group } = await w.groups.create('alice', { name: 'club', memberIds: ['bob', 'carol'] });
    const club = groupConversationId(group.id);
    await settings.update('bob', { conversationId: club, mutedUntil: w.clock.now() + 3_600_000 });
    await settings.update('carol', { conversationId: club, notify: 'mentions' });
    await send('alice', { type: 'group', id: group.id }, 'to all');
    expect(pushed).toEqual([]);
    await send('alice', { type: 'group', id: group.id }, 'carol, look', { mentions: ['carol'] });
    expect(sent()).toEqual([{ endpoint: 'https://push.example/carol', payload: expect.objectContaining({ mention: true }) }]);
    expect(pushed[0]?.urgency).toBe('high');
    // The mute ends: bob gets pushes again; notify none stops them for good.
    w.clock.t += 3_600_000;
    await settings.update('carol', { conversationId: club, notify: 'none' });
    await send('alice', { type: 'group', id: group.id }, 'later', { mentions: ['carol'] });
    expect(sent().slice(1).map((s) => s.endpoint)).toEqual(['https://push.example/bob']);
  });

  it('pushes nothing during the user\'s do-not-disturb hours', async () => {
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(w.clock.now());
    const hour = Number(local.slice(0, 2));
    const pad = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
    await w.store.updateProfile('bob', { dnd: { start: pad(hour), end: pad(hour + 1), timeZone: 'Asia/Tokyo' } });
    await send('alice', { type: 'user', id: 'bob' }, 'quiet please');
    expect(pushed).toEqual([]);
    await w.store.updateProfile('bob', { dnd: { start: pad(hour + 1), end: pad(hour + 2), timeZone: 'Asia/Tokyo' } });
    await send('alice', { type: 'user', id: 'bob' }, 'now');
    expect(pushed).toHaveLength(1);
  });

  it('pushes nothing to a session that was revoked', async () => {
    expect(await w.store.revokeAuthSession('sess-bob', 'logout', w.clock.now())).toBe(true);
    await send('alice', { type: 'user', id: 'bob' }, 'gone?');
    expect(pushed).toEqual([]);
  });
});
