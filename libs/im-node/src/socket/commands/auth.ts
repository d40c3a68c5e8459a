import type { CommandServices, CommandSlice } from './types';

export type AuthCommand = 'auth:renew';

/**
 * The socket's own sign-in: `auth:renew` moves the socket onto a fresh
 * access token of the same user and sign-in, so it outlives the token it
 * connected with. Anything else is refused and changes nothing.
 */
export function createAuthCommands(s: Pick<CommandServices, 'sessionGate'>) {
  return {
    'auth:renew': async (ctx, p) => {
      const { expiresAt } = await s.sessionGate.renew({ userId: ctx.userId, sessionId: ctx.authSessionId }, p.token);
      ctx.renewExpiry(expiresAt);
      return { expiresAt };
    },
  } satisfies CommandSlice<AuthCommand>;
}
