import { EventEmitter } from 'node:events';
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { ImServer, ImSocket } from './socket-types';

/*
 * Socket.IO and engine.io keep, for each connection's lifetime, objects that
 * only the handshake needed; at 10,000 idle connections per node they are a
 * good part of the heap. This file releases them once the connection is up.
 * Checked against socket.io 4.8 and engine.io 6.6: neither reads them after
 * the handshake (bench/src/tools/heap-per-connection.ts shows what is left).
 */

/** What engine.io hands upgrade middlewares instead of a ServerResponse. */
interface UpgradeResponse {
  socket: EventEmitter;
}

/** The parts of an engine.io socket touched here. */
interface EngineSocket {
  request: IncomingMessage | null;
  transport: { socket?: unknown };
}

type Handshake = ImSocket['handshake'];

/** Stands in for every socket's handshake once authentication has read it. */
const RELEASED_HANDSHAKE: Handshake = Object.freeze({
  headers: Object.freeze({}),
  time: '',
  address: '',
  xdomain: false,
  secure: false,
  issued: 0,
  url: '',
  query: Object.freeze({}),
  auth: Object.freeze({}),
});

/** Installs the engine-level releases; call once, before any other engine middleware. */
export function releaseHandshakeState(io: ImServer): void {
  io.engine.use(dropUpgradeResponse);
  io.engine.on('connection', releaseEngineSocket);
}

/**
 * Replaces the socket's handshake (time string, query, auth with the token)
 * by one shared frozen object. Our code reads only `auth`, during
 * authentication; Socket.IO builds the handshake and never reads it back.
 */
export function releaseHandshake(socket: ImSocket): void {
  (socket as { handshake: Handshake }).handshake = RELEASED_HANDSHAKE;
}

/**
 * engine.io runs middlewares on a WebSocket upgrade against a stand-in
 * response whose constructor ends by subscribing to the TCP socket's `close`
 * (to re-emit it for middlewares). That listener keeps the stand-in and the
 * upgrade request, headers and all, alive as long as the connection: ~1.8 KB.
 * Nothing here listens to the response, so the subscription is dropped. As
 * the first middleware, the constructor's listener is the socket's latest.
 */
function dropUpgradeResponse(_req: IncomingMessage, res: ServerResponse | UpgradeResponse, next: () => void): void {
  if (!(res instanceof ServerResponse)) {
    const latest = res.socket.rawListeners('close').at(-1) as { listener?: (...args: unknown[]) => void } | undefined;
    // Only a `once` wrapper carries `listener`; anything else is not the stand-in's.
    if (latest?.listener) res.socket.removeListener('close', latest.listener);
  }
  next();
}

/**
 * The engine socket keeps its handshake request; and on a direct WebSocket
 * connection engine.io leaves its pre-upgrade `error` listener on the
 * WebSocket, which it removes only on an upgrade from polling ("transport
 * error handling takes over": the transport has its own).
 */
function releaseEngineSocket(socket: EngineSocket): void {
  socket.request = null;
  const ws = socket.transport.socket;
  if (!(ws instanceof EventEmitter)) return; // polling: no WebSocket yet
  for (const listener of ws.listeners('error')) {
    if (listener.name === 'onUpgradeError') ws.removeListener('error', listener as (...args: unknown[]) => void);
  }
}
