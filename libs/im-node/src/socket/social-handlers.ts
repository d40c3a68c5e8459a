import { getSettings, updateSettings } from '@parley/domain';
import type { CommandHandlers, CommandServices } from './command-handlers';

const EMPTY: Record<string, never> = {};

/** Friends, blocks, settings and group administration: one line per command, like the core handlers. */
export function createSocialHandlers(s: CommandServices) {
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
    'settings:get': async (ctx) => ({ settings: await getSettings(s.store, ctx.userId) }),
    'settings:update': async (ctx, p) => ({ settings: await updateSettings(s.store, ctx.userId, p) }),
    'group:list': async (ctx) => ({ groups: await s.groups.list(ctx.userId) }),
    'group:search': (ctx, p) => s.groups.search(ctx.userId, p),
    'group:invite': (ctx, p) => s.groups.invite(ctx.userId, p),
    'group:join': (ctx, p) => s.groups.join(ctx.userId, p),
    'group:requests': (ctx, p) => s.groups.requests(ctx.userId, p),
    'group:respond': (ctx, p) => s.groups.respond(ctx.userId, p),
    'group:leave': async (ctx, p) => (await s.groups.leave(ctx.userId, p), EMPTY),
    'group:kick': async (ctx, p) => (await s.groupAdmin.kick(ctx.userId, p), EMPTY),
    'group:setRole': async (ctx, p) => (await s.groupAdmin.setRole(ctx.userId, p), EMPTY),
    'group:transfer': async (ctx, p) => (await s.groupAdmin.transfer(ctx.userId, p), EMPTY),
    'group:mute': async (ctx, p) => (await s.groupAdmin.mute(ctx.userId, p), EMPTY),
    'group:update': async (ctx, p) => ({ group: await s.groupAdmin.update(ctx.userId, p) }),
    'group:dissolve': async (ctx, p) => (await s.groupAdmin.dissolve(ctx.userId, p), EMPTY),
  } satisfies Partial<CommandHandlers>;
}
