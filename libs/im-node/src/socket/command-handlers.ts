import type { CommandName, CommandPayload, CommandResults } from '@parley/protocol';
import {
  listConversations,
  type FriendService,
  type GroupAdminService,
  type GroupService,
  type MessagingService,
  type SessionService,
  type Store,
} from '@parley/domain';
import { createSocialHandlers } from './social-handlers';

export interface CommandContext {
  userId: string;
  sessionId: string;
  /** Puts this socket in exactly the rooms the user belongs to now (joins and leaves it may have missed). */
  resyncRooms(): Promise<void>;
}

export type CommandHandler<K extends CommandName> = (
  ctx: CommandContext,
  payload: CommandPayload<K>,
) => Promise<CommandResults[K]>;

export type CommandHandlers = { [K in CommandName]: CommandHandler<K> };

export interface CommandServices {
  store: Store;
  messaging: MessagingService;
  groups: GroupService;
  groupAdmin: GroupAdminService;
  friends: FriendService;
  sessions: SessionService;
}

const EMPTY: Record<string, never> = {};

/** One line per command: the socket layer validates, these call the domain. */
export function createCommandHandlers(s: CommandServices): CommandHandlers {
  return {
    'message:send': async (ctx, p) => ({ message: await s.messaging.send(ctx.userId, p, ctx.sessionId) }),
    sync: async (ctx, p) => {
      // A group joined or left in the instant this session connected (or while
      // this node was cut off from every gateway) is caught up here.
      await ctx.resyncRooms();
      return s.messaging.sync(ctx.userId, p);
    },
    'history:fetch': (ctx, p) => s.messaging.history(ctx.userId, p),
    'message:ack': async (ctx, p) => (await s.messaging.ackDelivered(ctx.userId, p), EMPTY),
    'conversation:read': async (ctx, p) => (await s.messaging.markRead(ctx.userId, p), EMPTY),
    'conversation:list': async (ctx) => ({ conversations: await listConversations(s.store, ctx.userId) }),
    'group:create': async (ctx, p) => ({ group: await s.groups.create(ctx.userId, p) }),
    'group:info': (ctx, p) => s.groups.info(ctx.userId, p),
    'presence:query': async (ctx, p) => ({ presence: await s.sessions.query(ctx.userId, p.userIds) }),
    typing: async (ctx, p) => (await s.messaging.typing(ctx.userId, p.conversationId), EMPTY),
    ...createSocialHandlers(s),
  };
}
