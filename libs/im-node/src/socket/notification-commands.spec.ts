import crypto from 'node:crypto';
import { JwtTokenService } from '@parley/auth';
import {
  ConversationService,
  ConversationSettingsService,
  FriendService,
  GroupAdminService,
  GroupService,
  MessagingService,
  SessionGate,
  SessionService,
  SettingsService,
  type Notifier,
} from '@parley/domain';
import { MemoryPresence } from '@parley/presence';
import { MAX_PINNED, userRoom, type ConversationSettings, type ConversationSummary, type RoomName } from '@parley/protocol';
import { SqliteStore } from '@parley/store';
import { waitFor } from '@parley/testing';
import { createLogger } from '@parley/util-node';
import type { Socket as ClientSocket } from 'socket.io-client';
import { startTestSocketServer, type TestSocketServer } from '../testing/socket-server';
import { createCommandDispatcher, InFlight } from './command-dispatch';
import { createCommandHandlers } from './commands';
import { DEFAULT_SOCKET_BUDGET, SocketBudget } from './socket-budget';

type Answer = { ok: boolean; error?: { code: string; message: string }; settings?: ConversationSettings; conversations?: ConversationSummary[] } & Record<string, unknown>;

/**
 * `conversation:settings`, `settings:update` and `presence:visibility` over
 * a socket, through the real dispatcher (validation, the node's command
 * budget), the real domain services and an in-memory SQLite store.
 */
describe('notification commands through the dispatcher and the real services', () => {
  let now = 1_700_000_000_000;
  const clock = { now: () => now };
  const store = new SqliteStore({ filename: ':memory:' });
  const presence = new MemoryPresence({ clock });
  let server: TestSocketServer;
  let ids = 0;
  let messaging: MessagingService;
  const dm = (from: string, to: string) =>
    messaging.send(from, { to: { type: 'user', id: to }, clientMsgId: `c${++ids}`, kind: 'text', body: { text: 'hi' } });

  beforeAll(async () => {
    await store.migrate();
    await presence.heartbeat('n1', 3_600_000);
    const logger = createLogger({ name: 'test', level: 'silent' });
    const holder: { server?: TestSocketServer } = {};
    // Delivers to this server's sockets by room, as the node's notifier does locally.
    const notifier: Notifier = {
      publish(rooms, event, payload, _messageId, options) {
        const io = holder.server?.io;
        if (!io) return;
        const to = io.to([...rooms] as RoomName[]);
        // The event name and its payload are correlated by the Notifier's signature, not visible to Socket.IO's typing here.
        const target = (options?.exceptSession ? to.except(options.exceptSession) : to) as unknown as { emit(event: string, payload: unknown): void };
        target.emit(event, payload);
      },
      publishConfirmed: async function (this: Notifier, rooms, event, payload) {
        this.publish(rooms, event, payload);
      },
      joinRoom: () => undefined,
      leaveRoom: async () => undefined,
    };
    const idGen = { next: () => `id${++ids}` };
    const deps = { store, notifier, ids: idGen, clock };
    messaging = new MessagingService(deps);
    const sessions = new SessionService({ nodeId: 'n1', store, presence, notifier, clock });
    const handlers = createCommandHandlers({
      messaging,
      conversations: new ConversationService({ store }),
      groups: new GroupService({ ...deps, presence }),
      groupAdmin: new GroupAdminService(deps),
      friends: new FriendService({ ...deps, presence }),
      settings: new SettingsService({ store, notifier }),
      conversationSettings: new ConversationSettingsService({ store, notifier, clock }),
      sessions,
      sessionGate: new SessionGate({ tokens: new JwtTokenService({ secret: crypto.randomBytes(48).toString('base64url') }, clock), store, clock }),
    });
    const dispatch = createCommandDispatcher(handlers, { resync: async () => undefined }, new InFlight(), logger, {
      clock,
      budget: new SocketBudget(clock, DEFAULT_SOCKET_BUDGET),
    });
    holder.server = server = await startTestSocketServer((io) => {
      io.use((socket, next) => {
        socket.data.userId = String((socket.handshake.auth as { userId?: unknown }).userId);
        socket.data.expiresAt = Number.POSITIVE_INFINITY;
        next();
      });
      io.on('connection', (socket) => {
        void socket.join(userRoom(socket.data.userId));
        void sessions.connected(socket.data.userId, socket.id);
        socket.on('disconnect', () => void sessions.disconnected(socket.data.userId, socket.id));
        socket.onAny(dispatch);
      });
    });
    for (const id of ['alice', 'bob', 'carol', 'mallory', ...Array.from({ length: MAX_PINNED + 1 }, (_, i) => `u${i}`)]) {
      await store.createUser({ id, username: id, displayName: id.toUpperCase(), passwordHash: 'x', createdAt: now });
      await store.updateProfile(id, { dmPolicy: 'anyone' });
    }
    await dm('alice', 'bob');
    await dm('mallory', 'carol');
  });

  afterAll(async () => {
    await server.close();
    await store.close();
  });

  const ask = (c: ClientSocket, name: string, payload: object = {}) => c.timeout(5000).emitWithAck(name, payload) as Promise<Answer>;
  const open = (userId: string) => server.open({ auth: { userId } });
  const AB = 'd:alice:bob';
  const settingsOf = async (c: ClientSocket, conversationId: string) =>
    (await ask(c, 'conversation:list')).conversations?.find((s) => s.conversationId === conversationId);

  it('patches the caller\'s own settings, acks them, and tells the caller\'s other sessions only', async () => {
    const [alice1, alice2, bob] = await Promise.all([open('alice'), open('alice'), open('bob')]);
    const seen: { socket: string; settings: ConversationSettings }[] = [];
    for (const [name, c] of [['alice1', alice1], ['alice2', alice2], ['bob', bob]] as const) {
      c.on('conversation:settings', (p: { settings: ConversationSettings }) => seen.push({ socket: name, settings: p.settings }));
    }
    const answer = await ask(alice1, 'conversation:settings', { conversationId: AB, notify: 'mentions', mutedUntil: now + 3_600_000, pinned: true });
    const expected = { conversationId: AB, notify: 'mentions', mutedUntil: now + 3_600_000, pinnedAt: now };
    expect(answer).toEqual({ ok: true, settings: expected });
    await waitFor('the other session\'s event', () => seen.length, (n) => n > 0);
    expect(seen).toEqual([{ socket: 'alice2', settings: expected }]);
    expect(await settingsOf(alice2, AB)).toMatchObject({ notify: 'mentions', mutedUntil: now + 3_600_000, pinnedAt: now });
    // Bob's settings of the same conversation are his own, untouched.
    expect(await settingsOf(bob, AB)).toMatchObject({ notify: 'all', mutedUntil: null, pinnedAt: null });
    // A mute that already ended is stored as none; unpin clears the pin.
    expect((await ask(alice1, 'conversation:settings', { conversationId: AB, mutedUntil: now - 1, pinned: false })).settings).toEqual({
      ...expected,
      mutedUntil: null,
      pinnedAt: null,
    });
    [alice1, alice2, bob].forEach((c) => c.close());
  });

  it('syncs settings:update (previews, DND) to the caller\'s other sessions', async () => {
    const [alice1, alice2] = await Promise.all([open('alice'), open('alice')]);
    const events: unknown[] = [];
    alice1.on('settings:update', (p: unknown) => events.push(['alice1', p]));
    alice2.on('settings:update', (p: unknown) => events.push(['alice2', p]));
    const dnd = { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' };
    const answer = await ask(alice1, 'settings:update', { previews: true, dnd });
    expect(answer).toEqual({ ok: true, settings: { dmPolicy: 'anyone', groupInvites: 'friends', previews: true, dnd } });
    await waitFor('the other session\'s event', () => events.length, (n) => n > 0);
    expect(events).toEqual([['alice2', { settings: answer.settings }]]);
    expect(await ask(alice2, 'settings:update', { dnd: { start: '22:00', end: '22:00', timeZone: 'Europe/Paris' } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
    expect(await ask(alice2, 'settings:update', { dnd: { start: '22:00', end: '07:00', timeZone: 'Mars/Olympus' } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
    expect((await ask(alice2, 'settings:get')).settings).toEqual(answer.settings);
    [alice1, alice2].forEach((c) => c.close());
  });

  it('answers NOT_FOUND for a conversation the caller is not in, and changes nothing of its members\'', async () => {
    const [mallory, alice] = await Promise.all([open('mallory'), open('alice')]);
    const heard: unknown[] = [];
    alice.on('conversation:settings', (p: unknown) => heard.push(p));
    const before = await settingsOf(alice, AB);
    // There is no way to name another user: the command acts on the caller only.
    for (const payload of [
      { conversationId: AB, notify: 'none' },
      { conversationId: AB, pinned: true },
      { conversationId: 'd:alice:mallory', notify: 'none' },
      { conversationId: 'g:nosuch', pinned: true },
    ]) {
      expect(await ask(mallory, 'conversation:settings', payload)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    expect(await ask(mallory, 'conversation:settings', { conversationId: AB, notify: 'none', userId: 'alice' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
    expect(await settingsOf(alice, AB)).toEqual(before);
    expect(heard).toEqual([]);
    [mallory, alice].forEach((c) => c.close());
  });

  it('refuses invalid payloads with INVALID_ARGUMENT and changes nothing', async () => {
    const alice = await open('alice');
    const before = await settingsOf(alice, AB);
    for (const payload of [
      { conversationId: AB },
      { conversationId: AB, notify: 'loud' },
      { conversationId: AB, mutedUntil: -5 },
      { conversationId: AB, mutedUntil: 1.5 },
      { conversationId: AB, pinned: 'yes' },
      { conversationId: '', pinned: true },
      { conversationId: 'not-a-conversation', pinned: true },
      { conversationId: 'x'.repeat(500), pinned: true },
    ]) {
      expect(await ask(alice, 'conversation:settings', payload)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    }
    expect(await ask(alice, 'presence:visibility', { visible: 'no' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await settingsOf(alice, AB)).toEqual(before);
    alice.close();
  });

  it(`pins at most ${MAX_PINNED} conversations: the next is CONFLICT, and pins list first, latest first`, async () => {
    for (let i = 0; i <= MAX_PINNED; i++) await dm(`u${i}`, 'carol');
    const carol = await open('carol');
    const conversations = Array.from({ length: MAX_PINNED + 1 }, (_, i) => `d:carol:u${i}`);
    for (const [i, conversationId] of conversations.slice(0, MAX_PINNED).entries()) {
      now += 1;
      expect(await ask(carol, 'conversation:settings', { conversationId, pinned: true })).toMatchObject({ ok: true, settings: { pinnedAt: now } });
      if (i === 0) expect((await ask(carol, 'conversation:list')).conversations?.[0]?.conversationId).toBe(conversationId);
    }
    const last = conversations[MAX_PINNED] ?? '';
    expect(await ask(carol, 'conversation:settings', { conversationId: last, pinned: true })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const list = (await ask(carol, 'conversation:list')).conversations ?? [];
    expect(list.slice(0, MAX_PINNED).map((s) => s.conversationId)).toEqual(conversations.slice(0, MAX_PINNED).reverse());
    expect(list.slice(MAX_PINNED).map((s) => [s.conversationId, s.pinnedAt])).toEqual(
      expect.arrayContaining([
        [last, null],
        ['d:carol:mallory', null],
      ]),
    );
    expect(list).toHaveLength(MAX_PINNED + 2);
    // Unpinning one makes room again.
    expect(await ask(carol, 'conversation:settings', { conversationId: conversations[0], pinned: false })).toMatchObject({ ok: true });
    expect(await ask(carol, 'conversation:settings', { conversationId: last, pinned: true })).toMatchObject({ ok: true });
    carol.close();
  });

  it('records the socket\'s visibility in presence and forgets it on disconnect', async () => {
    const bob = await open('bob');
    await waitFor('bob in presence', () => presence.awayUsers(['bob'], now, 60_000), (away) => !away.has('bob'));
    expect(await ask(bob, 'presence:visibility', { visible: false })).toEqual({ ok: true });
    expect(await presence.awayUsers(['bob'], now + 59_999, 60_000)).toEqual(new Set());
    expect(await presence.awayUsers(['bob'], now + 60_000, 60_000)).toEqual(new Set(['bob']));
    expect(await ask(bob, 'presence:visibility', { visible: true })).toEqual({ ok: true });
    expect(await presence.awayUsers(['bob'], now + 600_000, 60_000)).toEqual(new Set());
    bob.close();
    await waitFor('bob gone from presence', () => presence.awayUsers(['bob'], now, 60_000), (away) => away.has('bob'));
  });

  it('answers a flood of 1000 conversation:settings with RATE_LIMITED past the budget, and leaves consistent settings', async () => {
    now += 60_000; // a full budget again after the earlier tests
    const [alice, aliceOther] = await Promise.all([open('alice'), open('alice')]);
    let events = 0;
    aliceOther.on('conversation:settings', () => events++);
    const modes = ['all', 'mentions', 'none'] as const;
    const answers = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => ask(alice, 'conversation:settings', { conversationId: AB, notify: modes[i % 3], pinned: i % 2 === 0 })),
    );
    const ok = answers.filter((a) => a.ok);
    const limited = answers.filter((a) => a.error?.code === 'RATE_LIMITED');
    // The node's budget (burst 200, cost 2) with the clock standing still: 100 run, the rest never do.
    expect(ok).toHaveLength(DEFAULT_SOCKET_BUDGET.burst / 2);
    expect(limited).toHaveLength(1000 - ok.length);
    await waitFor('every change heard by the other session', () => events, (n) => n === ok.length);
    now += 60_000; // the budget refills; the list costs too
    const final = await settingsOf(aliceOther, AB);
    // The stored state is what one of the accepted commands left, whole.
    const stored = final && { conversationId: AB, notify: final.notify, mutedUntil: final.mutedUntil, pinnedAt: final.pinnedAt };
    expect(ok.map((a) => a.settings)).toContainEqual(stored);
    [alice, aliceOther].forEach((c) => c.close());
  });
});
