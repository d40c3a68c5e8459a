/**
 * The baseline the benchmark compares Parley with: what a Node.js team would
 * write first. A plain Socket.IO server scaled with @socket.io/redis-adapter,
 * the same `message:send` / `message:new` shapes as Parley, no persistence,
 * no authentication beyond a user id in the handshake, group membership
 * given by the client in the handshake.
 *
 * Env: BASELINE_PORT, BASELINE_REDIS_URL, BASELINE_NODE_ID.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

interface SendPayload {
  to: { type: 'user' | 'group'; id: string };
  clientMsgId: string;
  kind: 'text';
  body: { text: string };
}

const port = Number(process.env.BASELINE_PORT ?? 0);
const nodeId = process.env.BASELINE_NODE_ID ?? 'baseline';
const redisUrl = process.env.BASELINE_REDIS_URL ?? 'redis://127.0.0.1:6379';

const pub = new Redis(redisUrl);
const sub = pub.duplicate();
const httpServer = http.createServer();
const io = new Server(httpServer, { serveClient: false, perMessageDeflate: false, adapter: createAdapter(pub, sub) });

let counter = 0;
const seqs = new Map<string, number>();

io.use((socket, next) => {
  const auth = socket.handshake.auth as { userId?: unknown; groups?: unknown };
  if (typeof auth.userId !== 'string' || auth.userId.length === 0) return next(new Error('UNAUTHORIZED'));
  socket.data.userId = auth.userId;
  const groups = Array.isArray(auth.groups) ? auth.groups.filter((g): g is string => typeof g === 'string') : [];
  void socket.join([`user:${auth.userId}`, ...groups.map((g) => `group:${g}`)]);
  next();
});

io.on('connection', (socket) => {
  const userId = socket.data.userId as string;
  socket.on('message:send', (payload: SendPayload, ack: (res: unknown) => void) => {
    if (typeof ack !== 'function') return;
    const to = payload?.to;
    const text = payload?.body?.text;
    if (!to || typeof to.id !== 'string' || typeof text !== 'string' || typeof payload.clientMsgId !== 'string') {
      ack({ ok: false, error: { code: 'INVALID_ARGUMENT', message: 'bad payload' } });
      return;
    }
    const conversationId = to.type === 'group' ? `g:${to.id}` : `d:${[userId, to.id].sort().join(':')}`;
    const seq = (seqs.get(conversationId) ?? 0) + 1;
    seqs.set(conversationId, seq);
    const message = {
      id: `${nodeId}-${++counter}`,
      conversationId,
      seq,
      senderId: userId,
      kind: 'text',
      body: { text },
      clientMsgId: payload.clientMsgId,
      createdAt: Date.now(),
    };
    const rooms = to.type === 'group' ? [`group:${to.id}`] : [`user:${to.id}`, `user:${userId}`];
    // Same semantics as Parley: the sending session has the message from its ack.
    io.to(rooms).except(socket.id).emit('message:new', message);
    ack({ ok: true, message });
  });
});

httpServer.listen(port, '127.0.0.1', () => {
  const actual = (httpServer.address() as AddressInfo).port;
  process.stdout.write(`BASELINE_READY ${actual}\n`);
});

const stop = () => {
  void io.close();
  pub.disconnect();
  sub.disconnect();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
