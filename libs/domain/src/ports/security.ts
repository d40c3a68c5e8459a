export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export interface TokenClaims {
  userId: string;
  username: string;
  /** The sign-in (AuthSessionRecord) the token belongs to: revoking it ends the token. */
  sessionId: string;
}

/** A verified token: its claims and when it expires (epoch ms; every token has one). */
export interface VerifiedToken extends TokenClaims {
  expiresAt: number;
}

export interface IssuedToken {
  token: string;
  expiresAt: number;
}

/** Issues and verifies access tokens; verify throws ParleyError('UNAUTHORIZED'). */
export interface TokenService {
  issue(claims: TokenClaims): IssuedToken;
  /** Throws UNAUTHORIZED for a bad, expired or `exp`-less token, or one without `sid`. */
  verify(token: string): VerifiedToken;
}

/**
 * Password rules beyond the schema's length: not common, not guessable, not
 * the username. Throws ParleyError INVALID_ARGUMENT naming the rule failed.
 */
export interface PasswordPolicy {
  check(password: string, context: { username: string; displayName?: string }): void;
}

/** Opaque secrets (refresh tokens): made at random, kept only as a one-way fingerprint. */
export interface SecretCodec {
  /** `bytes` random bytes from a CSPRNG, base64url. */
  randomSecret(bytes: number): string;
  /** SHA-256 of the text, lowercase hex (64 characters). */
  fingerprint(text: string): string;
}
