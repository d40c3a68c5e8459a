import { HANDSHAKE_UNAUTHORIZED, ParleyError } from '@parley/protocol';
import type { TokenService } from '@parley/domain';
import type { ImSocket } from './socket-types';

type Next = (err?: Error) => void;

/** Socket.IO middleware: a valid JWT in `auth.token` or the handshake fails with UNAUTHORIZED. */
export function handshakeAuth(tokens: TokenService, isAccepting: () => boolean) {
  return (socket: ImSocket, next: Next): void => {
    if (!isAccepting()) {
      next(new Error('UNAVAILABLE'));
      return;
    }
    const auth: unknown = socket.handshake.auth;
    const token = typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
      next(new Error(HANDSHAKE_UNAUTHORIZED));
      return;
    }
    try {
      const claims = tokens.verify(token);
      socket.data.userId = claims.userId;
      socket.data.username = claims.username;
      next();
    } catch (err) {
      next(new Error(err instanceof ParleyError ? HANDSHAKE_UNAUTHORIZED : 'INTERNAL'));
    }
  };
}
