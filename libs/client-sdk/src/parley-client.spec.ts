import type { io as realIo } from 'socket.io-client';
import type { Message } from '@parley/protocol';
import { at } from '@parley/testing';
import { ParleyClient, type ParleyClientOptions } from './parley-client';
import { FakeSocket, type CommandHandler } from './testing/fake-socket';
import { textMessage } from './testing/messages';

const msg = (seq: number, conversationId = 'd:a:b'): Message => textMessage(seq, { id: `${conversationId}#${seq}`, conversationId });

interface HarnessOptions {
  refresh?: ParleyClientOptions['refresh'];
  /** The session's token expiry. @default in a minute */
  expiresAt?: number;
  /** Tokens the nodes refuse at the handshake. */
  refuse?: (token: string) => boolean;
  /** The `path` of the n-th assignment; undefined leaves it out (a gateway from before `path`). */
  assignPath?: (n: number) => string | undefined;
}

function harness(options: HarnessOptions = {}) {
  const stored: Message[] = [];
  const sockets: FakeSocket[] = [];
  const commands = new Map<string, CommandHandler>();
  const syncs: Record<string, unknown>[] = [];
  commands.set('sync', (p) => {
    syncs.push(p);
    const since = (p.since ?? {}) as Record<string, number>;
    const after = since['d:a:b'] ?? 0;
    const messages = stored.filter((m) => m.seq > after);
    const throughSeq = Math.max(after, ...stored.map((m) => m.seq));
    return { ok: true, conversations: messages.length ? [{ conversationId: 'd:a:b', messages, hasMore: false, throughSeq }] : [] };
  });
  commands.set('history:fetch', (p) => ({
    ok: true,
    messages: stored.filter((m) => m.seq > (p.afterSeq as number)),
    hasMore: false,
    throughSeq: Math.max(p.afterSeq as number, ...stored.map((m) => m.seq)),
  }));
  commands.set('message:ack', () => ({ ok: true }));
  let assigned = 0;
  /** Bodies of the refresh requests; `refreshAnswer` answers each (by default a fresh token valid a minute). */
  const refreshes: unknown[] = [];
  let refreshAnswer = (n: number): Response =>
    new Response(JSON.stringify({ token: `t${n}`, expiresAt: Date.now() + 60_000, refreshToken: `r${n}`, sessionId: 's', refreshExpiresAt: 0 }), { status: 200 });
  const fetchImpl = (async (url: string, init?: RequestInit) => {
    if (String(url).endsWith('/api/auth/refresh')) {
      refreshes.push(JSON.parse(String(init?.body)));
      await new Promise((r) => setTimeout(r, 5)); // a round trip: concurrent callers overlap
      return refreshAnswer(refreshes.length);
    }
    if (String(url).includes('/api/nodes/assign')) {
      assigned++;
      const path = options.assignPath?.(assigned);
      return new Response(JSON.stringify({ nodeId: `im-${assigned}`, url: `http://node-${assigned}`, path }), { status: 200 });
    }
    return new Response('{}', { status: 404 });
  }) as typeof fetch;
  const io = ((url: string, opts: { auth: { token: string }; path?: string }) => {
    const socket = new FakeSocket(url, opts.path, commands, opts.auth.token, options.refuse?.(opts.auth.token) ?? false);
    sockets.push(socket);
    return socket;
  }) as unknown as typeof realIo;
  const client = new ParleyClient({ gatewayUrl: 'http://gw', fetch: fetchImpl, io, backoff: { initialMs: 5, maxMs: 20 }, ackDelayMs: 5, refresh: options.refresh });
  const expiresAt = options.expiresAt ?? Date.now() + 60_000;
  client.useSession({ user: { id: 'a', username: 'a', displayName: 'a' }, token: 't', expiresAt, sessionId: 's', refreshToken: 'r0', refreshExpiresAt: Date.now() + 86_400_000 });
  const released: Message[] = [];
  client.on('message', (m) => released.push(m));
  return {
    client,
    stored,
    sockets,
    commands,
    syncs,
    released,
    refreshes,
    answerRefresh: (answer: (n: number) => Response) => void (refreshAnswer = answer),
    assigns: () => assigned,
    current: () => at(sockets, sockets.length - 1, 'socket'),
  };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('ParleyClient', () => {
  it('syncs on connect and releases pushed messages once, in order, fetching gaps', async () => {
    const h = harness();
    h.stored.push(msg(1));
    await h.client.connect();
    expect(h.client.state).toBe('connected');
    expect(h.released.map((m) => m.seq)).toEqual([1]);

    h.stored.push(msg(2), msg(3));
    h.current().fire('message:new', msg(3)); // 2 was lost on the way
    await until(() => h.released.length === 3);
    expect(h.released.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(h.current().emitted.some((e) => e.event === 'history:fetch' && e.payload.afterSeq === 1)).toBe(true);

    h.current().fire('message:new', msg(3)); // a duplicate push
    h.current().fire('message:new', msg(2));
    await until(() => h.current().emitted.some((e) => e.event === 'message:ack' && e.payload.seq === 3));
    expect(h.released.map((m) => m.seq)).toEqual([1, 2, 3]);
    await h.client.close();
  });

  it('reconnects through the gateway after the node goes away and syncs from its cursor', async () => {
    const h = harness();
    h.stored.push(msg(1));
    await h.client.connect();
    const reconnected = new Promise<{ nodeId: string }>((resolve) => h.client.on('reconnected', resolve));

    h.stored.push(msg(2));
    h.current().disconnect(); // the node died
    expect((await reconnected).nodeId).toBe('im-2');
    expect(h.sockets.map((s) => s.url)).toEqual(['http://node-1', 'http://node-2']);
    expect(h.syncs[h.syncs.length - 1]).toEqual({ since: { 'd:a:b': 1 }, limit: 200 });
    expect(h.released.map((m) => m.seq)).toEqual([1, 2]);
    await h.client.close();
  });

  it("connects on the assignment's Socket.IO path, each reconnect on its new one", async () => {
    const h = harness({ assignPath: (n) => `/n/im-${n}/socket.io` });
    await h.client.connect();
    h.current().disconnect(); // the node died: the next assignment names another node's path
    await until(() => h.client.state === 'connected' && h.sockets.length === 2);
    expect(h.sockets.map((s) => [s.url, s.path])).toEqual([
      ['http://node-1', '/n/im-1/socket.io'],
      ['http://node-2', '/n/im-2/socket.io'],
    ]);
    await h.client.close();
  });

  it("connects on Socket.IO's default path when the gateway's assignment has none (an older gateway)", async () => {
    const h = harness();
    await h.client.connect();
    expect(h.current().path).toBe('/socket.io');
    await h.client.close();
  });

  it('moves to another node after server:draining, waiting the delay it was given', async () => {
    const h = harness();
    await h.client.connect();
    const reconnected = new Promise<{ nodeId: string }>((resolve) => h.client.on('reconnected', resolve));
    h.current().fire('server:draining', { reconnectAfterMs: 30 });
    expect(h.sockets).toHaveLength(1);
    expect((await reconnected).nodeId).toBe('im-2');
    expect(at(h.sockets, 0, 'socket').connected).toBe(false);
    await h.client.close();
  });

  it('syncs again when the node says pushes may have been missed', async () => {
    const h = harness();
    await h.client.connect();
    expect(h.syncs).toHaveLength(1);
    h.stored.push(msg(1), msg(2)); // pushed while the node was cut off from the relay: never arrived
    h.current().fire('server:resync', { withinMs: 10 });
    await until(() => h.released.length === 2);
    expect(h.syncs).toHaveLength(2);
    expect(h.released.map((m) => m.seq)).toEqual([1, 2]);
    await h.client.close();
  });

  it('retries a send with the same clientMsgId until it is acked', async () => {
    const h = harness();
    await h.client.connect();
    const attempts: Record<string, unknown>[] = [];
    h.commands.set('message:send', (p) => {
      attempts.push(p);
      if (attempts.length === 1) return { ok: false, error: { code: 'UNAVAILABLE', message: 'store down' } };
      if (attempts.length === 2) {
        h.current().disconnect(); // lost before the ack
        return undefined;
      }
      return { ok: true, message: { ...msg(1), senderId: 'a', clientMsgId: p.clientMsgId } };
    });
    const sent = await h.client.send({ type: 'user', id: 'b' }, 'hello');
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.clientMsgId)).size).toBe(1);
    expect(sent.clientMsgId).toBe(at(attempts, 0, 'send attempt').clientMsgId);
    expect(h.client.messages('d:a:b').map((m) => m.id)).toEqual([sent.id]);
    await h.client.close();
  });

  it('does not retry permanent errors', async () => {
    const h = harness();
    await h.client.connect();
    let calls = 0;
    h.commands.set('message:send', () => {
      calls++;
      return { ok: false, error: { code: 'FORBIDDEN', message: 'not a member' } };
    });
    await expect(h.client.send({ type: 'group', id: 'g' }, 'x')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(calls).toBe(1);
    await h.client.close();
  });

  it("passes the server's pushes on under their client names, with their payloads", async () => {
    const h = harness();
    await h.client.connect();
    const seen: unknown[] = [];
    h.client.on('friendRequest', (r) => seen.push(['friendRequest', r]));
    h.client.on('presence', (p) => seen.push(['presence', p]));
    const request = { id: 'r1', fromUserId: 'b', toUserId: 'a', status: 'pending', createdAt: 1 };
    h.current().fire('friend:request', { request });
    h.current().fire('presence:update', { userId: 'b', online: true, lastSeenAt: null });
    expect(seen).toEqual([
      ['friendRequest', { request }],
      ['presence', { userId: 'b', online: true, lastSeenAt: null }],
    ]);
    await h.client.close();
  });

  it('patches conversation settings, reports visibility, updates settings, and hears the other devices\' changes', async () => {
    const h = harness();
    const asked: [string, unknown][] = [];
    const settings = { conversationId: 'd:a:b', notify: 'mentions', mutedUntil: null, pinnedAt: 5 };
    const userSettings = { dmPolicy: 'friends', groupInvites: 'friends', previews: true, dnd: null };
    h.commands.set('conversation:settings', (p) => (asked.push(['conversation:settings', p]), { ok: true, settings }));
    h.commands.set('presence:visibility', (p) => (asked.push(['presence:visibility', p]), { ok: true }));
    h.commands.set('settings:update', (p) => (asked.push(['settings:update', p]), { ok: true, settings: userSettings }));
    await h.client.connect();
    await expect(h.client.conversationSettings({ conversationId: 'd:a:b', notify: 'mentions', pinned: true })).resolves.toEqual(settings);
    await expect(h.client.setVisibility(false)).resolves.toBeUndefined();
    await expect(h.client.updateSettings({ previews: true })).resolves.toEqual(userSettings);
    expect(asked).toEqual([
      ['conversation:settings', { conversationId: 'd:a:b', notify: 'mentions', pinned: true }],
      ['presence:visibility', { visible: false }],
      ['settings:update', { previews: true }],
    ]);
    const seen: unknown[] = [];
    h.client.on('conversationSettings', (e) => seen.push(['conversationSettings', e.settings]));
    h.client.on('settingsUpdate', (e) => seen.push(['settingsUpdate', e.settings]));
    h.current().fire('conversation:settings', { settings });
    h.current().fire('settings:update', { settings: userSettings });
    expect(seen).toEqual([
      ['conversationSettings', settings],
      ['settingsUpdate', userSettings],
    ]);
    await h.client.close();
  });

  it('fails a command still waiting for its ack at once when closed', async () => {
    const h = harness();
    await h.client.connect();
    h.commands.set('friend:list', () => undefined); // the node never answers
    const waiting = h.client.command('friend:list', {});
    const closedAt = Date.now();
    await h.client.close();
    await expect(waiting).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(Date.now() - closedAt).toBeLessThan(1_000); // not the 8 s command timeout
    expect(h.client.state).toBe('closed');
  });
});

describe('ParleyClient sessions', () => {
  const tokenOf = (s: FakeSocket) => s.token;
  const problem = (status: number, code: string) =>
    new Response(JSON.stringify({ type: 'about:blank', title: code, status, code, detail: code }), { status, headers: { 'content-type': 'application/problem+json' } });

  // A replayed refresh token (refresh-reused) is as final as logout everywhere: refreshing cannot bring the session back.
  it.each(['logout-all', 'refresh-reused'] as const)('stops for good when the node ends the session (%s): no reconnect, no refresh, one signedOut', async (reason) => {
    const h = harness();
    await h.client.connect();
    const events: unknown[] = [];
    h.client.on('sessionEnded', (e) => events.push(['sessionEnded', e]));
    h.client.on('signedOut', (e) => events.push(['signedOut', e]));
    h.current().fire('session:ended', { reason });
    h.current().disconnect(); // the node closes the socket right after
    await until(() => h.client.state === 'closed');
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual([
      ['sessionEnded', { reason }],
      ['signedOut', { reason }],
    ]);
    expect(h.sockets).toHaveLength(1);
    expect(h.assigns()).toBe(1);
    expect(h.refreshes).toEqual([]);
  });

  it('after session:ended expired, refreshes once and reconnects with the fresh token', async () => {
    const h = harness();
    await h.client.connect();
    const reconnected = new Promise((resolve) => h.client.on('reconnected', resolve));
    h.current().fire('session:ended', { reason: 'expired' });
    await reconnected;
    expect(h.refreshes).toEqual([{ refreshToken: 'r0' }]);
    expect(h.sockets.map(tokenOf)).toEqual(['t', 't1']);
    expect(h.client.session?.refreshToken).toBe('r1'); // rotated: the old one is never sent again
    expect(h.client.state).toBe('connected');
    await h.client.close();
  });

  it('without a refresher, an expired session signs the client out', async () => {
    const h = harness({ refresh: false });
    await h.client.connect();
    const out = new Promise((resolve) => h.client.on('signedOut', resolve));
    h.current().fire('session:ended', { reason: 'expired' });
    expect(await out).toEqual({ reason: 'expired' });
    expect(h.client.state).toBe('closed');
  });

  it('refreshes ahead of the expiry and moves the live socket to the new token with auth:renew', async () => {
    const h = harness({ expiresAt: Date.now() + 300 });
    h.commands.set('auth:renew', () => ({ ok: true, expiresAt: 1 }));
    const renewed = new Promise<{ expiresAt: number }>((resolve) => h.client.on('tokenRenewed', resolve));
    await h.client.connect();
    expect((await renewed).expiresAt).toBeGreaterThan(Date.now() + 30_000);
    expect(h.current().emitted.filter((e) => e.event === 'auth:renew').map((e) => e.payload)).toEqual([{ token: 't1' }]);
    expect(h.refreshes).toEqual([{ refreshToken: 'r0' }]);
    expect(h.sockets).toHaveLength(1); // the same socket, not a reconnect
    expect(h.client.session?.token).toBe('t1');
    await h.client.close();
  });

  it('does not say tokenRenewed when the live socket refused the fresh token (auth:renew refused)', async () => {
    const h = harness();
    const renewals: string[] = [];
    h.commands.set('auth:renew', (p) => {
      renewals.push(String(p.token));
      return renewals.length === 1 ? { ok: false, error: { code: 'UNAUTHORIZED', message: 'session ended' } } : { ok: true, expiresAt: 1 };
    });
    const said: unknown[] = [];
    h.client.on('tokenRenewed', (e) => said.push(e));
    await h.client.connect();
    await h.client.refreshToken();
    await until(() => renewals.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(said).toEqual([]);
    // The honest path beside it: a renewal the node takes is told.
    await h.client.refreshToken();
    await until(() => said.length === 1);
    expect(renewals).toEqual(['t1', 't2']);
    await h.client.close();
  });

  it('signs out, keeping its own token, when a refresh answers for another account', async () => {
    const h = harness();
    h.answerRefresh(
      (n) =>
        new Response(JSON.stringify({ token: `t${n}`, expiresAt: Date.now() + 60_000, sessionId: 'other', user: { id: 'b', username: 'b', displayName: 'b' } }), {
          status: 200,
        }),
    );
    const out: unknown[] = [];
    h.client.on('signedOut', (e) => out.push(e));
    await h.client.connect();
    await expect(h.client.refreshToken()).resolves.toBe(false);
    expect(out).toEqual([{ reason: 'account-switched' }]);
    expect(h.client.session?.token).toBe('t');
    expect(h.client.session?.user.id).toBe('a');
    expect(h.client.state).toBe('closed');
  });

  it('keeps trying a refresh the gateway could not answer, without signing out', async () => {
    const h = harness({ expiresAt: Date.now() + 150 });
    h.commands.set('auth:renew', () => ({ ok: true, expiresAt: 1 }));
    h.answerRefresh((n) => (n === 1 ? problem(503, 'UNAVAILABLE') : new Response(JSON.stringify({ token: `t${n}`, expiresAt: Date.now() + 60_000 }), { status: 200 })));
    const out: unknown[] = [];
    h.client.on('signedOut', (e) => out.push(e));
    const renewed = new Promise((resolve) => h.client.on('tokenRenewed', resolve));
    await h.client.connect();
    await renewed;
    expect(h.refreshes).toHaveLength(2);
    expect(out).toEqual([]);
    await h.client.close();
  });

  it('signs out when the refresh is refused (the session was revoked)', async () => {
    const h = harness({ expiresAt: Date.now() + 150 });
    h.answerRefresh(() => problem(401, 'UNAUTHORIZED'));
    const out = new Promise((resolve) => h.client.on('signedOut', resolve));
    await h.client.connect();
    expect(await out).toEqual({ reason: 'unauthorized' });
    expect(h.client.state).toBe('closed');
  });

  it('signs out with suspended, once and without retrying, when a scheduled refresh answers ACCOUNT_SUSPENDED', async () => {
    const h = harness({ expiresAt: Date.now() + 150 });
    h.answerRefresh(() => problem(403, 'ACCOUNT_SUSPENDED'));
    const out: unknown[] = [];
    h.client.on('signedOut', (e) => out.push(e));
    await h.client.connect();
    await until(() => out.length > 0);
    expect(out).toEqual([{ reason: 'suspended' }]);
    expect(h.client.state).toBe('closed');
    expect(h.refreshes).toHaveLength(1);
  });

  it('signs out with suspended when a refused handshake earns a refresh that answers ACCOUNT_SUSPENDED', async () => {
    const h = harness({ refuse: () => true });
    h.answerRefresh(() => problem(403, 'ACCOUNT_SUSPENDED'));
    const out: unknown[] = [];
    h.client.on('signedOut', (e) => out.push(e));
    await expect(h.client.connect()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(out).toEqual([{ reason: 'suspended' }]);
    expect(h.refreshes).toHaveLength(1);
    expect(h.client.state).toBe('closed');
  });

  it('a handshake refused UNAUTHORIZED earns one refresh and a reconnect', async () => {
    const h = harness({ refuse: (token) => token === 't' });
    await h.client.connect();
    expect(h.client.state).toBe('connected');
    expect(h.sockets.map(tokenOf)).toEqual(['t', 't1']);
    expect(h.refreshes).toHaveLength(1);
    await h.client.close();
  });

  it('a fresh token refused again at the handshake signs the client out, after one refresh only', async () => {
    const h = harness({ refuse: () => true });
    const out: unknown[] = [];
    h.client.on('signedOut', (e) => out.push(e));
    await expect(h.client.connect()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(out).toEqual([{ reason: 'unauthorized' }]);
    expect(h.refreshes).toHaveLength(1);
    expect(h.sockets.map(tokenOf)).toEqual(['t', 't1']);
    expect(h.client.state).toBe('closed');
  });

  it('refreshes once for callers at the same time: a refresh token works once', async () => {
    const h = harness();
    await expect(Promise.all([h.client.refreshToken(), h.client.refreshToken(), h.client.refreshToken()])).resolves.toEqual([true, true, true]);
    expect(h.refreshes).toEqual([{ refreshToken: 'r0' }]);
    await h.client.refreshToken();
    expect(h.refreshes).toEqual([{ refreshToken: 'r0' }, { refreshToken: 'r1' }]);
    await h.client.close();
  });
});
