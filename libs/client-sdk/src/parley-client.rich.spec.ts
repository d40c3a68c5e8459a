import type { io as realIo } from 'socket.io-client';
import type { Attachment, LogPage, Message, MessageChange } from '@parley/protocol';
import { at, waitFor } from '@parley/testing';
import type { MessageUpdate } from './conversation-log';
import { ParleyClient } from './parley-client';
import { FakeSocket, type CommandHandler } from './testing/fake-socket';
import { textMessage } from './testing/messages';

const CONV = 'g:1';

const text = (seq: number, extra: Partial<Message> = {}): Message => textMessage(seq, { conversationId: CONV, ...extra });

const entry = (seq: number, change: MessageChange, senderId = 'b', body = ''): Message => ({
  id: `e${seq}`,
  conversationId: CONV,
  seq,
  senderId,
  kind: 'change',
  body: { text: body },
  clientMsgId: `chg:e${seq}`,
  createdAt: seq,
  change,
});

interface HttpCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A client against one scripted node and a scripted gateway; the log the node answers from is `log` (as this user sees it). */
function harness() {
  const log: Message[] = [];
  let updates: Message[] = [];
  /** The log's last seq when its tail is hidden from this user (else its last entry's). */
  let lastSeq = 0;
  const sockets: FakeSocket[] = [];
  const commands = new Map<string, CommandHandler>();
  const page = (after: number, limit: number): LogPage => {
    const messages = log.filter((m) => m.seq > after).slice(0, limit);
    const hasMore = messages.length === limit;
    const throughSeq = hasMore ? (messages.at(-1)?.seq ?? after) : Math.max(after, lastSeq, ...log.map((m) => m.seq));
    return { messages, hasMore, throughSeq, ...(updates.length ? { updates } : {}) };
  };
  commands.set('sync', (p) => {
    const since = (p.since ?? {}) as Record<string, number>;
    const answer = page(since[CONV] ?? 0, p.limit as number);
    // Like the server: every conversation whose log goes beyond the cursor, even if only by hidden seqs.
    return { ok: true, conversations: answer.throughSeq > (since[CONV] ?? 0) ? [{ conversationId: CONV, ...answer }] : [] };
  });
  commands.set('history:fetch', (p) => ({ ok: true, ...page(p.afterSeq as number, p.limit as number) }));
  commands.set('message:ack', () => ({ ok: true }));

  const http: HttpCall[] = [];
  const routes = new Map<string, (call: HttpCall) => Response>();
  const fetchImpl = (async (url: string, init?: RequestInit) => {
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>));
    const raw = init?.body;
    const body = typeof raw === 'string' ? JSON.parse(raw) : raw;
    const call = { method: init?.method ?? 'GET', url: String(url), headers, body };
    http.push(call);
    if (call.url.includes('/api/nodes/assign')) return new Response(JSON.stringify({ nodeId: 'im-1', url: 'http://node-1' }), { status: 200 });
    const route = routes.get(`${call.method} ${call.url}`);
    return route ? route(call) : new Response('{}', { status: 404 });
  }) as typeof fetch;
  const io = ((url: string, opts: { auth: { token: string }; path?: string }) => {
    const socket = new FakeSocket(url, opts.path, commands, opts.auth.token);
    sockets.push(socket);
    return socket;
  }) as unknown as typeof realIo;
  const client = new ParleyClient({ gatewayUrl: 'http://gw/', fetch: fetchImpl, io, backoff: { initialMs: 5, maxMs: 20 }, ackDelayMs: 5, refresh: false });
  client.useSession({ user: { id: 'a', username: 'a', displayName: 'a' }, token: 't', expiresAt: Date.now() + 60_000, sessionId: 's', refreshToken: 'r', refreshExpiresAt: Date.now() + 60_000 });
  const events: (['message', Message] | ['update', MessageUpdate])[] = [];
  client.on('message', (m) => events.push(['message', m]));
  client.on('messageUpdate', (u) => events.push(['update', u]));
  return {
    client,
    log,
    setUpdates: (u: Message[]) => void (updates = u),
    setLastSeq: (seq: number) => void (lastSeq = seq),
    commands,
    http,
    routes,
    events,
    node: () => at(sockets, sockets.length - 1, 'socket'),
    sent: (event: string) => at(sockets, sockets.length - 1, 'socket').emitted.filter((e) => e.event === event).map((e) => e.payload),
  };
}

/** Waits for the client's asynchronous work (acks, syncs after a reconnect) by a wall-clock budget, not a count of timers. */
const until = (check: () => boolean) => waitFor('the client to catch up', check, (ok) => ok, { timeoutMs: 5_000, intervalMs: 5 });

const order = (events: ReturnType<typeof harness>['events']) => events.map(([kind, x]) => `${kind}:${kind === 'message' ? x.seq : x.entry.seq}`);

describe('ParleyClient: changes to messages', () => {
  it('applies a pushed message:update to the held message and emits messageUpdate', async () => {
    const h = harness();
    h.log.push(text(1));
    await h.client.connect();
    const edited = text(1, { body: { text: 'better' }, editedAt: 2 });
    h.node().fire('message:update', { message: edited, entry: entry(2, { type: 'edit', messageId: 'm1' }, 'b', 'better') });
    expect(order(h.events)).toEqual(['message:1', 'update:2']);
    expect(h.client.messages(CONV)).toEqual([edited]);
    expect(h.client.message(CONV, 'm1')?.editedAt).toBe(2);
    await until(() => h.sent('message:ack').some((p) => p.seq === 2));
    await h.client.close();
  });

  it('catches up after being offline: the final state of an edit, a recall and a reaction from the sync after reconnecting', async () => {
    const h = harness();
    h.log.push(text(1), text(2), text(3, { replyTo: 'm2', quote: { messageId: 'm2', senderId: 'b', kind: 'text', text: 'm2' } }));
    await h.client.connect();
    const reconnected = new Promise((resolve) => h.client.on('reconnected', resolve));
    h.node().disconnect(); // offline

    // Meanwhile: m1 edited, m2 recalled (m3 quotes it), a reaction on m1, someone's delete for themselves (seq 7, hidden here), a new message.
    const m1 = text(1, { body: { text: 'edited' }, editedAt: 4, reactions: [{ emoji: '👍', userIds: ['c'] }] });
    const m2 = { ...text(2, { body: { text: '' } }), recalled: true };
    h.log.splice(0, 3, m1, m2, text(3, { replyTo: 'm2', quote: { messageId: 'm2', senderId: 'b', kind: 'text', text: '', recalled: true } }));
    h.log.push(
      entry(4, { type: 'edit', messageId: 'm1' }, 'b', 'edited'),
      entry(5, { type: 'recall', messageId: 'm2' }),
      entry(6, { type: 'reaction', messageId: 'm1', emoji: '👍', on: true }, 'c'),
      text(8),
    );
    h.setUpdates([m1, m2]);
    await reconnected;

    expect(order(h.events)).toEqual(['message:1', 'message:2', 'message:3', 'update:4', 'update:5', 'update:5', 'update:6', 'message:8']);
    expect(h.client.messages(CONV)).toEqual([m1, m2, at(h.log, 2, 'm3'), text(8)]);
    await until(() => h.sent('message:ack').some((p) => p.seq === 8));
    await h.client.close();
  });

  it('a live client converges too when it only gets the entries (no states): edit, reaction, recall with the quote', async () => {
    const h = harness();
    h.log.push(text(1), text(2, { replyTo: 'm1', quote: { messageId: 'm1', senderId: 'b', kind: 'text', text: 'm1' } }));
    await h.client.connect();
    // A push beyond entries it missed: the gap fill brings them without states.
    h.log.push(entry(3, { type: 'edit', messageId: 'm1' }, 'b', 'new'), entry(4, { type: 'reaction', messageId: 'm1', emoji: '🎉', on: true }, 'a'), entry(5, { type: 'recall', messageId: 'm1' }), text(6));
    h.node().fire('message:new', text(6));
    await until(() => h.events.length === 8);
    // The edit and the recall each report the reply too, whose quote shows them.
    expect(order(h.events)).toEqual(['message:1', 'message:2', 'update:3', 'update:3', 'update:4', 'update:5', 'update:5', 'message:6']);
    expect(h.client.messages(CONV).map((m) => [m.id, m.body.text, m.recalled ?? false, m.quote?.recalled ?? false])).toEqual([
      ['m1', '', true, false],
      ['m2', 'm2', false, true],
      ['m6', 'm6', false, false],
    ]);
    await h.client.close();
  });

  it('a delete for me takes the message out of the held list on a push', async () => {
    const h = harness();
    h.log.push(text(1), text(2));
    await h.client.connect();
    h.node().fire('message:update', { message: text(1, { deleted: true }), entry: entry(3, { type: 'delete', messageId: 'm1' }, 'a') });
    expect(h.client.messages(CONV).map((m) => m.id)).toEqual(['m2']);
    expect(at(h.events, 2, 'event')).toEqual(['update', { entry: expect.objectContaining({ seq: 3 }), message: text(1, { deleted: true }) }]);
    await h.client.close();
  });

  it('does not take a seq hidden from this user for a gap it must wait for', async () => {
    const h = harness();
    h.log.push(text(1), text(3)); // 2: someone's delete for themselves
    await h.client.connect();
    expect(order(h.events)).toEqual(['message:1', 'message:3']);
    h.log.push(text(5)); // 4 hidden too
    h.node().fire('message:new', text(5));
    await until(() => h.events.length === 3);
    await until(() => h.sent('message:ack').some((p) => p.seq === 5));
    await h.client.close();
  });

  it('moves past a hidden tail (an empty sync page up to its throughSeq), acks it, and is not sent it again', async () => {
    const h = harness();
    h.log.push(text(1), text(2));
    await h.client.connect();
    await until(() => h.sent('message:ack').some((p) => p.seq === 2));
    const reconnected = new Promise((resolve) => h.client.on('reconnected', resolve));
    h.node().disconnect();
    h.setLastSeq(4); // 3 and 4: another member's delete entries, hidden here
    await reconnected;
    await until(() => h.sent('message:ack').some((p) => p.seq === 4));
    expect(order(h.events)).toEqual(['message:1', 'message:2']);
    // The next sync starts past the hidden tail.
    const again = new Promise((resolve) => h.client.on('reconnected', resolve));
    h.node().disconnect();
    await again;
    expect(at(h.sent('sync'), 0, 'the sync after reconnecting')).toMatchObject({ since: { [CONV]: 4 } });
    await h.client.close();
  });

  it('sends the change commands with their payloads, and edit answers the message as it is now', async () => {
    const h = harness();
    await h.client.connect();
    const edited = text(1, { senderId: 'a', body: { text: 'fixed' }, editedAt: 9 });
    h.commands.set('message:edit', () => ({ ok: true, message: edited }));
    for (const name of ['message:recall', 'message:react', 'message:delete']) h.commands.set(name, () => ({ ok: true }));
    h.commands.set('message:search', () => ({ ok: true, results: [{ message: edited }], next: 'm1' }));
    h.commands.set('message:versions', () => ({ ok: true, versions: [{ text: 'fixd', editedAt: 9 }] }));

    expect(await h.client.edit('m1', 'fixed')).toEqual(edited);
    await h.client.recall('m1');
    await h.client.react('m1', '👍');
    await h.client.react('m1', '👍', false);
    await h.client.deleteForMe('m1');
    expect(await h.client.search('fix', { limit: 1 })).toEqual({ results: [{ message: edited }], next: 'm1' });
    expect(await h.client.versions('m1')).toEqual([{ text: 'fixd', editedAt: 9 }]);
    expect(h.sent('message:edit')).toEqual([{ messageId: 'm1', body: { text: 'fixed' } }]);
    expect(h.sent('message:recall')).toEqual([{ messageId: 'm1' }]);
    expect(h.sent('message:react')).toEqual([
      { messageId: 'm1', emoji: '👍', on: true },
      { messageId: 'm1', emoji: '👍', on: false },
    ]);
    expect(h.sent('message:delete')).toEqual([{ messageId: 'm1' }]);
    expect(h.sent('message:search')).toEqual([{ q: 'fix', limit: 1 }]);
    await h.client.close();
  });

  it('retries a change the node could not make yet, and gives up on a refusal', async () => {
    const h = harness();
    await h.client.connect();
    let attempts = 0;
    h.commands.set('message:react', () => (++attempts < 3 ? { ok: false, error: { code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 5 } } : { ok: true }));
    await h.client.react('m1', '👍');
    expect(attempts).toBe(3);
    h.commands.set('message:recall', () => ({ ok: false, error: { code: 'FORBIDDEN', message: 'past the recall window' } }));
    await expect(h.client.recall('m1')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(h.sent('message:recall')).toHaveLength(1);
    await h.client.close();
  });

  it('sends a reply with mentions', async () => {
    const h = harness();
    await h.client.connect();
    h.commands.set('message:send', (p) => ({ ok: true, message: text(1, { senderId: 'a', replyTo: p.replyTo as string, mentions: p.mentions as string[] }) }));
    const sent = await h.client.send({ type: 'group', id: '1' }, 'hi @b', { replyTo: 'm0', mentions: ['b'] });
    expect(sent).toMatchObject({ replyTo: 'm0', mentions: ['b'] });
    expect(h.sent('message:send')).toEqual([
      { to: { type: 'group', id: '1' }, clientMsgId: expect.any(String), kind: 'text', body: { text: 'hi @b' }, replyTo: 'm0', mentions: ['b'] },
    ]);
    await h.client.close();
  });
});

describe('ParleyClient: attachments', () => {
  const image: Attachment = { id: 'up1', name: 'cat.png', mime: 'image/png', size: 4, width: 2, height: 2, thumbnail: true };

  function withUploadRoutes(h: ReturnType<typeof harness>, putStatus = 200, attachment: Attachment = image) {
    h.routes.set('POST http://gw/api/uploads', () =>
      Response.json({ uploadId: 'up1', url: '/api/uploads/up1/content?t=tok', method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, expiresAt: 0, maxBytes: 10 }),
    );
    h.routes.set('PUT http://gw/api/uploads/up1/content?t=tok', () =>
      putStatus === 200 ? new Response(null, { status: 204 }) : Response.json({ code: 'PAYLOAD_TOO_LARGE', detail: 'too big' }, { status: putStatus }),
    );
    h.routes.set('POST http://gw/api/uploads/up1/complete', () => Response.json({ attachment }));
    h.commands.set('message:send', (p) => ({
      ok: true,
      message: text(1, { senderId: 'a', kind: p.kind as Message['kind'], body: { text: 'a cat', caption: 'a cat', attachment } }),
    }));
  }

  it('uploads with a ticket (its URL relative to the gateway), completes, and sends an image with its caption', async () => {
    const h = harness();
    withUploadRoutes(h);
    await h.client.connect();
    const progress: [number, number][] = [];
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const sent = await h.client.sendAttachment({ type: 'user', id: 'b' }, bytes, 'cat.png', { caption: 'a cat', onProgress: (s, t) => progress.push([s, t]) });
    expect(sent.kind).toBe('image');
    expect(h.http.filter((c) => !c.url.includes('/assign')).map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST http://gw/api/uploads',
      'PUT http://gw/api/uploads/up1/content?t=tok',
      'POST http://gw/api/uploads/up1/complete',
    ]);
    const [ticketCall, putCall] = h.http.filter((c) => !c.url.includes('/assign'));
    expect(ticketCall?.body).toEqual({ name: 'cat.png', size: 4 });
    expect(ticketCall?.headers.authorization).toBe('Bearer t');
    expect(putCall?.headers).toEqual({ 'content-type': 'application/octet-stream' }); // as the ticket says, no Bearer
    expect(new Uint8Array(putCall?.body as ArrayBuffer)).toEqual(bytes);
    expect(progress).toEqual([
      [0, 4],
      [4, 4],
    ]);
    expect(h.sent('message:send')).toEqual([
      { to: { type: 'user', id: 'b' }, clientMsgId: expect.any(String), kind: 'image', body: { attachmentId: 'up1', caption: 'a cat' } },
    ]);
    await h.client.close();
  });

  it('sends what the server found not to be an image as a file', async () => {
    const h = harness();
    withUploadRoutes(h, 200, { id: 'up1', name: 'notes.txt', mime: 'text/plain', size: 4 });
    await h.client.connect();
    await h.client.sendAttachment({ type: 'user', id: 'b' }, new Blob(['abcd'], { type: 'text/plain' }), 'notes.txt');
    expect(h.http.find((c) => c.url === 'http://gw/api/uploads')?.body).toEqual({ name: 'notes.txt', size: 4, mime: 'text/plain' });
    expect(h.sent('message:send')).toEqual([expect.objectContaining({ kind: 'file', body: { attachmentId: 'up1' } })]);
    await h.client.close();
  });

  it('reports a refused upload as PAYLOAD_TOO_LARGE and sends nothing', async () => {
    const h = harness();
    withUploadRoutes(h, 413);
    await h.client.connect();
    await expect(h.client.sendAttachment({ type: 'user', id: 'b' }, new Uint8Array(4), 'big.bin')).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(h.sent('message:send')).toEqual([]);
    await h.client.close();
  });

  it('answers attachment links with absolute URLs', async () => {
    const h = harness();
    h.routes.set('GET http://gw/api/attachments/up1?variant=thumbnail', () =>
      Response.json({ attachment: image, url: '/api/blobs/k?exp=1&sig=s', thumbnailUrl: 'https://s3.example/b/k.thumb?X-Amz=1', expiresAt: 1 }),
    );
    const link = await h.client.attachmentLink('up1', 'thumbnail');
    expect(link).toEqual({ attachment: image, url: 'http://gw/api/blobs/k?exp=1&sig=s', thumbnailUrl: 'https://s3.example/b/k.thumb?X-Amz=1', expiresAt: 1 });
  });
});
