import { ParleyError } from '@parley/protocol';
import type { AuthSessionStore, Clock, TokenService, UserStore, VerifiedToken } from '../ports';

export interface SessionGateDeps {
  tokens: TokenService;
  store: Pick<AuthSessionStore, 'getAuthSession'> & Pick<UserStore, 'getUser'>;
  clock: Clock;
}

/** The identity a live socket runs under: its user and the sign-in its token names. */
export interface SocketIdentity {
  userId: string;
  sessionId: string;
}

/**
 * Who may hold a socket: a valid access token whose sign-in is still active
 * (not revoked, not expired) and whose user still exists and is not deleted.
 * The signature alone is not enough: a token outlives a logout by up to its
 * lifetime. Two indexed point reads, made in parallel (one round trip).
 */
export class SessionGate {
  constructor(private readonly deps: SessionGateDeps) {}

  /** The token's claims when it may open a socket; ParleyError UNAUTHORIZED otherwise (UNAVAILABLE when the store is down). */
  async admit(token: string): Promise<VerifiedToken> {
    const verified = this.deps.tokens.verify(token);
    await this.requireActive(verified);
    return verified;
  }

  /**
   * `auth:renew`: a fresh token for a live socket. It must be valid, of the
   * socket's own user (else FORBIDDEN) and sign-in (else FORBIDDEN: a socket
   * never changes whose session it runs on), and that sign-in still active.
   */
  async renew(current: SocketIdentity, token: string): Promise<VerifiedToken> {
    const verified = this.deps.tokens.verify(token);
    if (verified.userId !== current.userId) throw new ParleyError('FORBIDDEN', "another user's token");
    if (verified.sessionId !== current.sessionId) throw new ParleyError('FORBIDDEN', "another sign-in's token");
    await this.requireActive(verified);
    return verified;
  }

  private async requireActive(token: VerifiedToken): Promise<void> {
    const { store, clock } = this.deps;
    const [session, user] = await Promise.all([store.getAuthSession(token.sessionId), store.getUser(token.userId)]);
    const now = clock.now();
    const sessionLive = session !== null && session.userId === token.userId && session.revokedAt === null && session.expiresAt > now;
    // Suspension revokes the sessions too; checked here as well so a revocation that failed halfway cannot leave one open.
    const userLive = user !== null && user.deletedAt === null && user.suspendedAt === null;
    // One message for every case: which one it was is not the client's business. Made only when
    // thrown: an error's stack trace is not free, and every handshake passes here.
    if (!sessionLive || !userLive) throw new ParleyError('UNAUTHORIZED', 'session ended; sign in again');
  }
}
