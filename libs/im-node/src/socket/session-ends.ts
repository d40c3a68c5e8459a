import { userRoom, type SessionEndReason } from '@parley/protocol';
import type { Clock } from '@parley/domain';
import { definedOnly } from '@parley/util';
import type { ImServer, ImSocket } from './socket-types';

export interface SessionEndsOptions {
  /**
   * How often expired sockets are looked for: one interval per node, not a
   * timer per socket. A socket outlives its token by at most this; its
   * commands are refused from the expiry on (the dispatcher checks).
   * @default 1_000
   */
  sweepMs?: number;
  /**
   * How long an ended session id is remembered, for handshakes that were
   * already past the store check when the end arrived. @default 60_000
   */
  rememberMs?: number;
}

export const DEFAULT_SESSION_ENDS = Object.freeze({ sweepMs: 1_000, rememberMs: 60_000 });

/**
 * Ends this node's sockets whose sign-in is over: revoked (a gateway's
 * `session:end` relay frame) or past its access token's expiry (a sweep).
 * Each gets `session:ended {reason}` and is disconnected right after;
 * Socket.IO flushes the event before closing the transport.
 *
 * Sweeping 10,000 sockets is a walk over one Map (well under a millisecond),
 * cheaper than keeping a timer per socket and re-arming it on every renew.
 *
 * Bounds: a `session:end` reaches this node only while its stream to the
 * gateway that sent it is up and the user's room is announced there. A
 * handshake whose store check passed just before the revocation, with the
 * room not yet announced (a few milliseconds), or a node cut off from that
 * gateway at that moment, keeps the socket until its token expires: minutes,
 * since `auth:renew` checks the session in the store and is refused.
 */
export class SessionEnds {
  private readonly options: Required<SessionEndsOptions>;
  /** Session id -> why and when it ended, for sockets still in their handshake. */
  private readonly ended = new Map<string, { reason: SessionEndReason; at: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly io: ImServer,
    private readonly clock: Clock,
    options: SessionEndsOptions = {},
  ) {
    this.options = { ...DEFAULT_SESSION_ENDS, ...definedOnly(options) };
  }

  start(): void {
    this.timer ??= setInterval(() => this.sweep(), this.options.sweepMs).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The sessions ended: their local sockets get `session:ended` and are disconnected; returns how many. */
  end(userId: string, sessionIds: readonly string[], reason: SessionEndReason): number {
    const at = this.clock.now();
    const wanted = new Set(sessionIds);
    for (const id of wanted) {
      this.ended.delete(id); // re-inserted at the end: the map stays in order of `at`
      this.ended.set(id, { reason, at });
    }
    const nsp = this.io.of('/');
    const socketIds = nsp.adapter.rooms.get(userRoom(userId));
    if (!socketIds) return 0;
    const doomed: ImSocket[] = [];
    for (const id of socketIds) {
      const socket = nsp.sockets.get(id);
      if (socket && wanted.has(socket.data.sessionId)) doomed.push(socket);
    }
    // Collected first: disconnecting takes the socket out of the set being walked.
    for (const socket of doomed) finish(socket, reason);
    return doomed.length;
  }

  /**
   * For a socket that just connected: false (and the socket ended) when its
   * session ended while its handshake was under way, past the store check.
   */
  admit(socket: ImSocket): boolean {
    const end = this.ended.get(socket.data.sessionId);
    if (end) {
      finish(socket, end.reason);
      return false;
    }
    if (tokenExpired(socket, this.clock.now())) {
      finish(socket, 'expired');
      return false;
    }
    return true;
  }

  /** Ends every socket whose token has expired and forgets old ends; returns the sockets ended. */
  sweep(): number {
    const now = this.clock.now();
    const expired: ImSocket[] = [];
    for (const socket of this.io.of('/').sockets.values()) {
      if (tokenExpired(socket, now)) expired.push(socket);
    }
    for (const socket of expired) finish(socket, 'expired');
    const forgetBefore = now - this.options.rememberMs;
    // Insertion order is end order: stop at the first one still remembered.
    for (const [id, end] of this.ended) {
      if (end.at > forgetBefore) break;
      this.ended.delete(id);
    }
    return expired.length;
  }
}

/** A token is expired from its `exp` on (the dispatcher refuses commands from then). */
export function tokenExpired(socket: ImSocket, now: number): boolean {
  return socket.data.expiresAt <= now;
}

function finish(socket: ImSocket, reason: SessionEndReason): void {
  if (!socket.connected) return;
  socket.emit('session:ended', { reason });
  socket.disconnect(true);
}
