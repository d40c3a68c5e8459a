import { COMMAND_NAMES } from '@parley/protocol';
import { createAuthCommands } from './auth';
import { createGroupCommands } from './groups';
import { createCommandHandlers } from './index';
import { createMessagingCommands } from './messaging';
import { createPresenceCommands } from './presence';
import { createSocialCommands } from './social';
import type { CommandContext, CommandServices } from './types';

/** Services whose every method records its call and answers with `answer`. */
function recordingServices(answer: unknown = 'result') {
  const calls: string[] = [];
  const service = (name: string) =>
    new Proxy(
      {},
      {
        get: (_target, method: string) => async (...args: unknown[]) => {
          calls.push(`${name}.${method}(${args.map((a) => JSON.stringify(a)).join(', ')})`);
          return answer;
        },
      },
    );
  const names = ['messaging', 'conversations', 'groups', 'groupAdmin', 'friends', 'settings', 'conversationSettings', 'sessions', 'sessionGate'] as const;
  const services = Object.fromEntries(names.map((n) => [n, service(n)])) as unknown as CommandServices;
  return { services, calls };
}

function context(calls: string[]): CommandContext {
  return {
    userId: 'alice',
    socketId: 's1',
    authSessionId: 'sign-in-1',
    resyncRooms: async () => void calls.push('ctx.resyncRooms()'),
    renewExpiry: (expiresAt) => void calls.push(`ctx.renewExpiry(${expiresAt})`),
  };
}

describe('command handlers by area', () => {
  it('handles every command of the protocol in exactly one area', () => {
    const { services } = recordingServices();
    const areas = [createMessagingCommands, createGroupCommands, createSocialCommands, createPresenceCommands, createAuthCommands];
    const names = areas.flatMap((create) => Object.keys(create(services)));
    expect(names.length).toBe(new Set(names).size);
    expect([...names].sort()).toEqual([...COMMAND_NAMES].sort());
    expect(Object.keys(createCommandHandlers(services)).sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it('resyncs the socket\'s rooms before a sync reads anything', async () => {
    const { services, calls } = recordingServices({ conversations: [] });
    const handlers = createCommandHandlers(services);
    await expect(handlers.sync(context(calls), { limit: 200 })).resolves.toEqual({ conversations: [] });
    expect(calls).toEqual(['ctx.resyncRooms()', 'messaging.sync("alice", {"limit":200})']);
  });

  it('answers the conversation list and settings from their services, as the caller', async () => {
    const { services, calls } = recordingServices('answer');
    const handlers = createCommandHandlers(services);
    const ctx = context(calls);
    await expect(handlers['conversation:list'](ctx, {})).resolves.toEqual({ conversations: 'answer' });
    await expect(handlers['settings:get'](ctx, {})).resolves.toEqual({ settings: 'answer' });
    await expect(handlers['settings:update'](ctx, { dmPolicy: 'anyone' })).resolves.toEqual({ settings: 'answer' });
    await expect(handlers['conversation:settings'](ctx, { conversationId: 'd:alice:bob', pinned: true })).resolves.toEqual({ settings: 'answer' });
    await expect(handlers['presence:visibility'](ctx, { visible: false })).resolves.toEqual({});
    // The calling socket is passed along: it has the change from its ack, its other sessions get the event.
    expect(calls).toEqual([
      'conversations.list("alice")',
      'settings.get("alice")',
      'settings.update("alice", {"dmPolicy":"anyone"}, "s1")',
      'conversationSettings.update("alice", {"conversationId":"d:alice:bob","pinned":true}, "s1")',
      'sessions.setVisibility("alice", "s1", false)',
    ]);
  });

  it('moves the socket to a renewed token only once the gate accepted it for this user and sign-in', async () => {
    const { services, calls } = recordingServices({ userId: 'alice', sessionId: 'sign-in-1', expiresAt: 1_234 });
    const handlers = createCommandHandlers(services);
    await expect(handlers['auth:renew'](context(calls), { token: 't' })).resolves.toEqual({ expiresAt: 1_234 });
    expect(calls).toEqual(['sessionGate.renew({"userId":"alice","sessionId":"sign-in-1"}, "t")', 'ctx.renewExpiry(1234)']);

    const refused: string[] = [];
    const gate = { renew: async () => Promise.reject(new Error('FORBIDDEN')) } as unknown as CommandServices['sessionGate'];
    await expect(createAuthCommands({ sessionGate: gate })['auth:renew'](context(refused), { token: 'eve' })).rejects.toThrow('FORBIDDEN');
    expect(refused).toEqual([]);
  });

  it('passes changes to messages, search and versions to messaging as the caller', async () => {
    const { services, calls } = recordingServices('done');
    const handlers = createCommandHandlers(services);
    const ctx = context(calls);
    await expect(handlers['message:recall'](ctx, { messageId: 'm1' })).resolves.toEqual({});
    await expect(handlers['message:react'](ctx, { messageId: 'm1', emoji: '👍', on: true })).resolves.toEqual({});
    await expect(handlers['message:delete'](ctx, { messageId: 'm1' })).resolves.toEqual({});
    await expect(handlers['message:edit'](ctx, { messageId: 'm1', body: { text: 'x' } })).resolves.toEqual({ message: 'done' });
    await handlers['message:search'](ctx, { q: 'hi', limit: 20 });
    await handlers['message:versions'](ctx, { messageId: 'm1' });
    expect(calls).toEqual([
      'messaging.recall("alice", {"messageId":"m1"})',
      'messaging.react("alice", {"messageId":"m1","emoji":"👍","on":true})',
      'messaging.delete("alice", {"messageId":"m1"})',
      'messaging.edit("alice", {"messageId":"m1","body":{"text":"x"}})',
      'messaging.search("alice", {"q":"hi","limit":20})',
      'messaging.versions("alice", {"messageId":"m1"})',
    ]);
  });

  it('acks a command that returns nothing with an empty result', async () => {
    const { services, calls } = recordingServices(undefined);
    const handlers = createCommandHandlers(services);
    await expect(handlers['group:kick'](context(calls), { groupId: 'g1', userId: 'bob' })).resolves.toEqual({});
    expect(calls).toEqual(['groupAdmin.kick("alice", {"groupId":"g1","userId":"bob"})']);
  });
});
