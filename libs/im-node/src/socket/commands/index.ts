import { createAuthCommands } from './auth';
import { createGroupCommands } from './groups';
import { createMessagingCommands } from './messaging';
import { createPresenceCommands } from './presence';
import { createSocialCommands } from './social';
import type { CommandHandlers, CommandServices } from './types';

export type { CommandContext, CommandHandler, CommandHandlers, CommandServices } from './types';

/**
 * Every command's handler, from the area modules: the socket layer validates,
 * these call the domain. Each area satisfies its own slice, and the whole map
 * satisfies `CommandHandlers`: a command no area handles is a compile error.
 */
export function createCommandHandlers(s: CommandServices): CommandHandlers {
  return {
    ...createMessagingCommands(s),
    ...createGroupCommands(s),
    ...createSocialCommands(s),
    ...createPresenceCommands(s),
    ...createAuthCommands(s),
  } satisfies CommandHandlers;
}
