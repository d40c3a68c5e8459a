import { EMPTY, type CommandServices, type CommandSlice } from './types';

export type PresenceCommand = 'presence:query' | 'presence:visibility';

/** Who is online, as far as the asker may see; whether this socket's page is in front of its user. */
export function createPresenceCommands(s: Pick<CommandServices, 'sessions'>) {
  return {
    'presence:query': async (ctx, p) => ({ presence: await s.sessions.query(ctx.userId, p.userIds) }),
    'presence:visibility': async (ctx, p) => (await s.sessions.setVisibility(ctx.userId, ctx.socketId, p.visible), EMPTY),
  } satisfies CommandSlice<PresenceCommand>;
}
