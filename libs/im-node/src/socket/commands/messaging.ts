import { EMPTY, type CommandServices, type CommandSlice } from './types';

export type MessagingCommand =
  | 'message:send'
  | 'message:edit'
  | 'message:recall'
  | 'message:react'
  | 'message:delete'
  | 'message:search'
  | 'message:versions'
  | 'sync'
  | 'history:fetch'
  | 'message:ack'
  | 'conversation:read'
  | 'conversation:list'
  | 'typing';

/** Sending, changing, searching, syncing and reading messages, the conversation list and typing: one line per command. */
export function createMessagingCommands(s: Pick<CommandServices, 'messaging' | 'conversations' | 'sends'>) {
  return {
    'message:send': async (ctx, p) => {
      const { message, duplicate } = await s.messaging.submit(ctx.userId, p, ctx.socketId);
      if (duplicate) s.sends?.messagesDeduplicated.inc();
      else s.sends?.messagesAccepted.inc();
      return { message };
    },
    'message:edit': async (ctx, p) => ({ message: await s.messaging.edit(ctx.userId, p) }),
    'message:recall': async (ctx, p) => (await s.messaging.recall(ctx.userId, p), EMPTY),
    'message:react': async (ctx, p) => (await s.messaging.react(ctx.userId, p), EMPTY),
    'message:delete': async (ctx, p) => (await s.messaging.delete(ctx.userId, p), EMPTY),
    'message:search': (ctx, p) => s.messaging.search(ctx.userId, p),
    'message:versions': (ctx, p) => s.messaging.versions(ctx.userId, p),
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
