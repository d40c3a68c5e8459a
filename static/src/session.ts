import type { AuthResult } from '@parley/protocol';

const KEY = 'parley.session';
/** Sign out a minute before the token expires rather than fail mid-chat. */
const MARGIN_MS = 60_000;

/** The signed-in session, kept in localStorage until its token expires. */
export function loadSession(now = Date.now()): AuthResult | undefined {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return undefined;
    const session = JSON.parse(raw) as AuthResult;
    if (!session?.token || !session.user?.id || typeof session.expiresAt !== 'number') return undefined;
    if (session.expiresAt - MARGIN_MS <= now) {
      clearSession();
      return undefined;
    }
    return session;
  } catch {
    return undefined;
  }
}

export function saveSession(session: AuthResult): void {
  localStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
}

/** Milliseconds until the session must end (for a sign-out timer). */
export function msUntilExpiry(session: AuthResult, now = Date.now()): number {
  return Math.max(0, session.expiresAt - MARGIN_MS - now);
}
