/**
 * The Parley client library (`@parley/client`): the {@link ParleyClient}
 * facade, its parts, and the protocol types an application handles.
 *
 * @packageDocumentation
 */
export { ParleyClient, type ParleyClientOptions } from './parley-client';
export {
  FORWARDED_EVENTS,
  type ClientEvents,
  type ConsumedServerEvent,
  type ForwardedServerEvent,
  type ServerEvents,
  type SignOutReason,
} from './client-events';
export { Connection, type AuthTrouble, type ClientState, type ConnectionHooks, type ConnectionOptions } from './connection';
export { TokenRenewal, type FreshToken, type Refresher, type TokenRenewalHooks } from './token-renewal';
export { CommandChannel, type ClientSocket } from './command-channel';
export { Sync, type SyncOptions } from './sync';
export { Sender, isRetryable, type SenderOptions } from './sender';
export { ConversationLog } from './conversation-log';
export { Emitter, type Listener } from './emitter';
export { GatewayApi } from './gateway-api';

// The protocol as an application sees it, so users of the package need nothing else.
export { ERROR_CODES, ParleyError, type ErrorCode, type ErrorBody } from '@parley/protocol';
export type {
  AssignResult,
  AuthResult,
  CommandInput,
  CommandName,
  CommandResults,
  ConversationSummary,
  DmPolicy,
  FriendRequest,
  FriendView,
  Group,
  GroupChange,
  GroupInvitation,
  GroupJoinRequest,
  GroupMemberView,
  GroupRole,
  GroupUpdateEvent,
  Message,
  MessageBody,
  MessageKind,
  NewMessageTarget,
  PresenceInfo,
  RequestStatus,
  ServerEventName,
  ServerEventPayloads,
  SessionEndReason,
  SystemInfo,
  User,
  UserSettings,
} from '@parley/protocol';
export type { BackoffOptions } from '@parley/util';
