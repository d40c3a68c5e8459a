import { EMPTY, type CommandServices, type CommandSlice } from './types';

export type GroupCommand =
  | 'group:create'
  | 'group:info'
  | 'group:list'
  | 'group:search'
  | 'group:invite'
  | 'group:invitations'
  | 'group:invitation:respond'
  | 'group:join'
  | 'group:requests'
  | 'group:respond'
  | 'group:leave'
  | 'group:kick'
  | 'group:setRole'
  | 'group:transfer'
  | 'group:mute'
  | 'group:update'
  | 'group:dissolve';

/** Groups: membership (create, join, invite, invitations, requests, leave) and administration (roles, kicks, mutes, dissolve). */
export function createGroupCommands(s: Pick<CommandServices, 'groups' | 'groupAdmin'>) {
  return {
    'group:create': (ctx, p) => s.groups.create(ctx.userId, p),
    'group:info': (ctx, p) => s.groups.info(ctx.userId, p),
    'group:list': async (ctx) => ({ groups: await s.groups.list(ctx.userId) }),
    'group:search': (ctx, p) => s.groups.search(ctx.userId, p),
    'group:invite': (ctx, p) => s.groups.invite(ctx.userId, p),
    'group:invitations': (ctx) => s.groups.pendingInvitations(ctx.userId),
    'group:invitation:respond': (ctx, p) => s.groups.respondToInvitation(ctx.userId, p),
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
  } satisfies CommandSlice<GroupCommand>;
}
