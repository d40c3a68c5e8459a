import { HANDSHAKE_UNAUTHORIZED, ParleyError } from '@parley/protocol';
import type { SessionGate } from '@parley/domain';
import type { Logger } from '@parley/util';
import type { ImSocket } from './socket-types';

type Next = (err?: Error) => void;

/** The refusal of a node that takes no sessions now (starting, draining); the client sees UNAVAILABLE. */
export class NotAcceptingError extends Error {
  constructor() {
    super('UNAVAILABLE');
  }
}

/**
 * Socket.IO middleware: a valid access token in `auth.token`, whose sign-in
 * is still active and whose user is not deleted (SessionGate), or the
 * handshake fails with UNAUTHORIZED (UNAVAILABLE when the store cannot say).
 * Runs before the rooms are loaded, so a refused handshake costs the node
 * nothing more than the gate's two point reads.
 */
export function handshakeAuth(gate: Pick<SessionGate, 'admit'>, isAccepting: () => boolean, logger: Logger) {
  return (socket: ImSocket, next: Next): void => {
    if (!isAccepting()) {
      next(new NotAcceptingError());
      return;
    }
    const auth: unknown = socket.handshake.auth;
    const token = typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
      next(new Error(HANDSHAKE_UNAUTHORIZED));
      return;
    }
    gate.admit(token).then(
      (verified) => {
        socket.data.userId = verified.userId;
        socket.data.username = verified.username;
        socket.data.sessionId = verified.sessionId;
        socket.data.expiresAt = verified.expiresAt;
        next();
      },
      (err: unknown) => {
        if (err instanceof ParleyError && err.code === 'UNAUTHORIZED') {
          next(new Error(HANDSHAKE_UNAUTHORIZED));
          return;
        }
        // A store outage refuses every handshake: the store's own health reports it, not one line per client.
        if (err instanceof ParleyError && err.code === 'UNAVAILABLE') {
          next(new Error('UNAVAILABLE'));
          return;
        }
        logger.warn({ err }, 'could not check a handshake session');
        next(new Error('INTERNAL'));
      },
    );
  };
}
