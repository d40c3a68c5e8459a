export * from './ports';
export { AccountService, type AccountServiceDeps } from './accounts/account-service';
export {
  AuthSessionService,
  DEFAULT_REFRESH_TTL_SECONDS,
  type AuthSessionServiceDeps,
  type SessionTokens,
} from './accounts/auth-sessions';
export { announceAccountRemoval, type GatewayEvents } from './accounts/account-removal-effects';
export { SessionGate, type SessionGateDeps, type SocketIdentity } from './accounts/session-gate';
export { toUserView } from './accounts/user-view';
export type { ClientInfo } from './accounts/client-info';
export { LoginGuard, DEFAULT_LOGIN_LIMITS, type LoginAttempt, type LoginLimits, type LoginSubject } from './accounts/login-guard';
export { RegistrationGuard, DEFAULT_REGISTRATION_LIMITS, type RegistrationLimits } from './accounts/registration-guard';
export { ReservedUsernames } from './accounts/reserved-usernames';
export {
  MessagingService,
  DEFAULT_MESSAGING_OPTIONS,
  type MessagingOptions,
  type MessagingServiceDeps,
} from './messaging/messaging-service';
export { ConversationService, type ConversationServiceDeps } from './messaging/conversation-service';
export { conversationRooms, requireMembership, requireVisibleMessage } from './messaging/conversation-access';
export {
  GroupService,
  DEFAULT_GROUP_OPTIONS,
  type GroupServiceDeps,
  type GroupServiceOptions,
} from './groups/group-service';
export { toGroupView } from './groups/group-view';
export { GroupAdminService, type GroupAdminServiceDeps } from './groups/group-admin-service';
export { FriendService, type FriendServiceDeps } from './social/friend-service';
export { SettingsService, type SettingsServiceDeps } from './social/settings-service';
export {
  ConversationSettingsService,
  type ConversationSettingsServiceDeps,
} from './notifications/conversation-settings-service';
export { NotificationService, type NotificationServiceDeps } from './notifications/notification-service';
export { allowsPush, inDnd, mentionsUser } from './notifications/push-decision';
export { buildPushRequest, pushTopic, PUSH_TEXT_LIMIT, PUSH_TTL_SEC, type PreviewNames } from './notifications/push-payload';
export {
  RoundRobinRouter,
  RoomHashRouter,
  createRouter,
  type NodeRouter,
  type RouterKind,
} from './routing/node-router';
export { NodeAssigner, DIRECT_SOCKET_PATH } from './routing/node-assigner';
export { NodeUrlAllowList, LOOPBACK_NODE_HOSTS, type NodeUrlVerdict } from './routing/node-url-allow-list';
export { AllowListedNodeDirectory, PathSafeNodeDirectory, type RejectedNode } from './routing/allow-listed-directory';
export { VettedNodeDirectory, type NodeVerdict } from './routing/vetted-directory';
export { PATH_SAFE_NODE_ID_RULE, PublicEntry, defaultInstanceId, isPathSafeNodeId } from './routing/public-entry';
export { sameNodes } from './routing/same-nodes';
export { SessionService, type SessionServiceDeps } from './presence/session-service';
export { RateLimiter, type RateDecision, type RateLimitOptions } from './limits/rate-limiter';
export {
  AdminService,
  DEFAULT_FLEET_STATS_INTERVAL_MS,
  DEFAULT_NOTICE_LIMIT,
  type AdminActor,
  type AdminOutcome,
  type AdminRouteName,
  type AdminServiceDeps,
} from './admin/admin-service';
export type { FleetControl, NodeStatsRow } from './admin/fleet-control';
export { fleetView, STALE_AFTER_INTERVALS } from './admin/fleet-view';
export { ContentPolicy, type ContentPolicyDeps } from './content/content-policy';
export type { MessageAttachments } from './attachments/message-attachments';
export { AttachmentService, type AttachmentOptions, type AttachmentServiceDeps } from './attachments/attachment-service';
export type { BlobLinks, DownloadLinkRequest } from './attachments/blob-links';
export { cleanFileName } from './attachments/file-names';
