import { EMPTY, type CommandServices, type CommandSlice } from './types';

export type SocialCommand =
  | 'friend:request'
  | 'friend:respond'
  | 'friend:cancel'
  | 'friend:requests'
  | 'friend:list'
  | 'friend:remove'
  | 'user:block'
  | 'user:unblock'
  | 'user:blocked'
  | 'settings:get'
  | 'settings:update'
  | 'conversation:settings';

/** Friends, blocks and the user's own settings (who may message them directly; notifications and pins). */
export function createSocialCommands(s: Pick<CommandServices, 'friends' | 'settings' | 'conversationSettings'>) {
  return {
    'friend:request': async (ctx, p) => ({ request: await s.friends.request(ctx.userId, p) }),
    'friend:respond': async (ctx, p) => ({ request: await s.friends.respond(ctx.userId, p) }),
    'friend:cancel': async (ctx, p) => (await s.friends.cancel(ctx.userId, p), EMPTY),
    'friend:requests': (ctx) => s.friends.pending(ctx.userId),
    'friend:list': (ctx) => s.friends.list(ctx.userId),
    'friend:remove': async (ctx, p) => (await s.friends.remove(ctx.userId, p), EMPTY),
    'user:block': async (ctx, p) => (await s.friends.block(ctx.userId, p), EMPTY),
    'user:unblock': async (ctx, p) => (await s.friends.unblock(ctx.userId, p), EMPTY),
    'user:blocked': async (ctx) => ({ users: await s.friends.blocked(ctx.userId) }),
    'settings:get': async (ctx) => ({ settings: await s.settings.get(ctx.userId) }),
    // Both act on the caller only; the caller's other sessions hear of it as an event.
    'settings:update': async (ctx, p) => ({ settings: await s.settings.update(ctx.userId, p, ctx.socketId) }),
    'conversation:settings': async (ctx, p) => ({ settings: await s.conversationSettings.update(ctx.userId, p, ctx.socketId) }),
  } satisfies CommandSlice<SocialCommand>;
}
