import type { CommandServices, CommandSlice } from './types';

export type PresenceCommand = 'presence:query';

/** Who is online, as far as the asker may see. */
export function createPresenceCommands(s: Pick<CommandServices, 'sessions'>) {
  return {
    'presence:query': async (ctx, p) => ({ presence: await s.sessions.query(ctx.userId, p.userIds) }),
  } satisfies CommandSlice<PresenceCommand>;
}
