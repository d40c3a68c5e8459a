import type { CommandName, CommandPayload, CommandResults } from '@parley/protocol';
import type {
  ConversationService,
  ConversationSettingsService,
  FriendService,
  GroupAdminService,
  GroupService,
  MessagingService,
  SessionGate,
  SessionService,
  SettingsService,
} from '@parley/domain';

/*
 * The leaf of the command modules: what a handler is, what it may call, and
 * the empty result. Every area module and the dispatcher import this file;
 * it imports none of them.
 */

export interface CommandContext {
  userId: string;
  /** This socket's own id (presence and pushes are per socket). */
  socketId: string;
  /** Puts this socket in exactly the rooms the user belongs to now (joins and leaves it may have missed). */
  resyncRooms(): Promise<void>;
  /** The sign-in (token `sid`) the socket runs under; `socketId` above is the socket's own id. */
  readonly authSessionId: string;
  /** Moves the socket's token expiry (auth:renew, once the new token was checked). */
  renewExpiry(expiresAt: number): void;
}

export type CommandHandler<K extends CommandName> = (
  ctx: CommandContext,
  payload: CommandPayload<K>,
) => Promise<CommandResults[K]>;

export type CommandHandlers = { [K in CommandName]: CommandHandler<K> };

/**
 * The handlers of one area's commands. An area module's map `satisfies` it,
 * so a command of the area left out, or a name that is not one of them, is a
 * compile error.
 */
export type CommandSlice<K extends CommandName> = Pick<CommandHandlers, K>;

/** The domain services handlers call; the socket layer never reaches the store. */
export interface CommandServices {
  messaging: MessagingService;
  conversations: ConversationService;
  groups: GroupService;
  groupAdmin: GroupAdminService;
  friends: FriendService;
  settings: SettingsService;
  conversationSettings: ConversationSettingsService;
  sessions: SessionService;
  sessionGate: SessionGate;
  /** Stored sends counted as accepted or, for a clientMsgId retry, deduplicated. @default not counted */
  sends?: SendCounts;
}

/** Where message:send outcomes are counted (NodeMetrics' pre-bound children). */
export interface SendCounts {
  messagesAccepted: { inc(): void };
  messagesDeduplicated: { inc(): void };
}

/** The result of a command acked with `{ok: true}` alone. */
export const EMPTY: Record<string, never> = {};
