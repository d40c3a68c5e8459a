/**
 * The Parley client library (`@parley/client`): the {@link ParleyClient}
 * facade, its parts, and the protocol types an application handles.
 *
 * @packageDocumentation
 */
export { ParleyClient, type ParleyClientOptions, type SendOptions, type SendAttachmentOptions } from './parley-client';
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
export { Sender, isRetryable, type SenderOptions, type SendContent } from './sender';
export { ConversationLog, type LogRelease, type MessageUpdate } from './conversation-log';
export { applyChange, tombstone } from './message-state';
export { uploadFile, type FileBytes, type UploadHooks, type UploadOptions } from './attachment-upload';
export { Emitter, type Listener } from './emitter';
export { GatewayApi } from './gateway-api';

// The protocol as an application sees it, so users of the package need nothing else.
export { ERROR_CODES, ParleyError, type ErrorCode, type ErrorBody } from '@parley/protocol';
export type {
  AssignResult,
  Attachment,
  AttachmentLink,
  AttachmentVariant,
  AuthResult,
  ChangeType,
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
  LogPage,
  Message,
  MessageBody,
  MessageChange,
  MessageKind,
  MessageUpdateEvent,
  NewMessageTarget,
  PresenceInfo,
  Quote,
  Reaction,
  RequestStatus,
  ServerEventName,
  ServerEventPayloads,
  SessionEndReason,
  SystemInfo,
  User,
  UploadTicket,
  UserSettings,
} from '@parley/protocol';
export type { BackoffOptions } from '@parley/util';
