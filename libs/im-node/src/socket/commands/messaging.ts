import { EMPTY, type CommandServices, type CommandSlice } from './types';

export type MessagingCommand =
  | 'message:send'
  | 'sync'
  | 'history:fetch'
  | 'message:ack'
  | 'conversation:read'
  | 'conversation:list'
  | 'typing';

/** Sending, syncing and reading messages, the conversation list and typing: one line per command. */
export function createMessagingCommands(s: Pick<CommandServices, 'messaging' | 'conversations' | 'sends'>) {
  return {
    'message:send': async (ctx, p) => {
      const { message, duplicate } = await s.messaging.submit(ctx.userId, p, ctx.socketId);
      if (duplicate) s.sends?.messagesDeduplicated.inc();
      else s.sends?.messagesAccepted.inc();
      return { message };
    },
    sync: async (ctx, p) => {
      // A group joined or left in the instant this session connected (or while
      // this node was cut off from every gateway) is caught up here.
      await ctx.resyncRooms();
      return s.messaging.sync(ctx.userId, p);
    },
    'history:fetch': (ctx, p) => s.messaging.history(ctx.userId, p),
    'message:ack': async (ctx, p) => (await s.messaging.ackDelivered(ctx.userId, p), EMPTY),
    'conversation:read': async (ctx, p) => (await s.messaging.markRead(ctx.userId, p), EMPTY),
    'conversation:list': async (ctx) => ({ conversations: await s.conversations.list(ctx.userId) }),
    typing: async (ctx, p) => (await s.messaging.typing(ctx.userId, p.conversationId), EMPTY),
  } satisfies CommandSlice<MessagingCommand>;
}
