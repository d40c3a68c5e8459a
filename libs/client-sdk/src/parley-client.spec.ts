import type { io as realIo } from 'socket.io-client';
import type { Message } from '@parley/protocol';
import { at } from '@parley/testing';
import { ParleyClient } from './parley-client';

type Handler = (...args: unknown[]) => void;
type CommandHandler = (payload: Record<string, unknown>) => unknown;

/** A stand-in for one Socket.IO connection to a node, scripted by the test. */
class FakeSocket {
  readonly handlers = new Map<string, Handler[]>();
  readonly emitted: { event: string; payload: Record<string, unknown> }[] = [];
  connected = false;

  constructor(
    readonly url: string,
    private readonly commands: Map<string, CommandHandler>,
  ) {
    setTimeout(() => {
      this.connected = true;
      this.fire('connect');
    });
  }

  on(event: string, handler: Handler): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }

  once(event: string, handler: Handler): this {
    const wrapped: Handler = (...args) => {
      this.off(event, wrapped);
      handler(...args);
    };
    return this.on(event, wrapped);
  }

  off(event: string, handler: Handler): this {
    this.handlers.set(event, (this.handlers.get(event) ?? []).filter((h) => h !== handler));
    return this;
  }

  removeAllListeners(): this {
    this.handlers.clear();
    return this;
  }

  emit(event: string, payload: Record<string, unknown>, ack?: (answer: unknown) => void): this {
    this.emitted.push({ event, payload });
    const handler = this.commands.get(event);
    if (handler && ack) {
      const answer = handler(payload);
      if (answer !== undefined) setTimeout(() => ack(answer));
    }
    return this;
  }

  disconnect(): this {
    if (this.connected) {
      this.connected = false;
      this.fire('disconnect', 'io client disconnect');
    }
    return this;
  }

  /** The server side: push an event or drop the connection. */
  fire(event: string, ...args: unknown[]): void {
    for (const h of this.handlers.get(event) ?? []) h(...args);
  }
}

const msg = (seq: number, conversationId = 'd:a:b'): Message => ({
  id: `${conversationId}#${seq}`,
  conversationId,
  seq,
  senderId: 'b',
  kind: 'text',
  body: { text: `m${seq}` },
  clientMsgId: `c${seq}`,
  createdAt: seq,
});

function harness() {
  const stored: Message[] = [];
  const sockets: FakeSocket[] = [];
  const commands = new Map<string, CommandHandler>();
  const syncs: Record<string, unknown>[] = [];
  commands.set('sync', (p) => {
    syncs.push(p);
    const since = (p.since ?? {}) as Record<string, number>;
    const after = since['d:a:b'] ?? 0;
    const messages = stored.filter((m) => m.seq > after);
    return { ok: true, conversations: messages.length ? [{ conversationId: 'd:a:b', messages, hasMore: false }] : [] };
  });
  commands.set('history:fetch', (p) => ({
    ok: true,
    messages: stored.filter((m) => m.seq > (p.afterSeq as number)),
    hasMore: false,
  }));
  commands.set('message:ack', () => ({ ok: true }));
  let assigned = 0;
  const fetchImpl = (async (url: string) => {
    if (String(url).includes('/api/nodes/assign')) {
      assigned++;
      return new Response(JSON.stringify({ nodeId: `im-${assigned}`, url: `http://node-${assigned}` }), { status: 200 });
    }
    return new Response('{}', { status: 404 });
  }) as typeof fetch;
  const io = ((url: string) => {
    const socket = new FakeSocket(url, commands);
    sockets.push(socket);
    return socket;
  }) as unknown as typeof realIo;
  const client = new ParleyClient({ gatewayUrl: 'http://gw', fetch: fetchImpl, io, backoff: { initialMs: 5, maxMs: 20 }, ackDelayMs: 5 });
  client.useSession({ user: { id: 'a', username: 'a', displayName: 'a' }, token: 't', expiresAt: Date.now() + 60_000 });
  const released: Message[] = [];
  client.on('message', (m) => released.push(m));
  return { client, stored, sockets, commands, syncs, released, current: () => at(sockets, sockets.length - 1, 'socket') };
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
