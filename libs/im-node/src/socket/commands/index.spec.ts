import { COMMAND_NAMES } from '@parley/protocol';
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
  const names = ['messaging', 'conversations', 'groups', 'groupAdmin', 'friends', 'settings', 'sessions'] as const;
  const services = Object.fromEntries(names.map((n) => [n, service(n)])) as unknown as CommandServices;
  return { services, calls };
}

function context(calls: string[]): CommandContext {
  return { userId: 'alice', sessionId: 's1', resyncRooms: async () => void calls.push('ctx.resyncRooms()') };
}

describe('command handlers by area', () => {
  it('handles every command of the protocol in exactly one area', () => {
    const { services } = recordingServices();
    const areas = [createMessagingCommands, createGroupCommands, createSocialCommands, createPresenceCommands];
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
    expect(calls).toEqual([
      'conversations.list("alice")',
      'settings.get("alice")',
      'settings.update("alice", {"dmPolicy":"anyone"})',
    ]);
  });

  it('acks a command that returns nothing with an empty result', async () => {
    const { services, calls } = recordingServices(undefined);
    const handlers = createCommandHandlers(services);
    await expect(handlers['group:kick'](context(calls), { groupId: 'g1', userId: 'bob' })).resolves.toEqual({});
    expect(calls).toEqual(['groupAdmin.kick("alice", {"groupId":"g1","userId":"bob"})']);
  });
});
