export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export interface TokenClaims {
  userId: string;
  username: string;
}

export interface IssuedToken {
  token: string;
  expiresAt: number;
}

/** Issues and verifies access tokens; verify throws ParleyError('UNAUTHORIZED'). */
export interface TokenService {
  issue(claims: TokenClaims): IssuedToken;
  verify(token: string): TokenClaims;
}
