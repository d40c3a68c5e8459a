import type { ConversationSettings, Dnd, NotifyMode } from '@parley/protocol';

/** A Web Push subscription of one session: where to push and the keys to encrypt for (RFC 8291). */
export interface PushSubscriptionRecord {
  id: string;
  userId: string;
  /** The auth session that subscribed: its pushes stop when it ends (logout, expiry, revocation). */
  sessionId: string;
  endpoint: string;
  /** base64url, as the browser gave them. */
  p256dh: string;
  auth: string;
  createdAt: number;
}

/** A push subscription with what deciding and writing a push for one member of one conversation needs. */
export interface PushTarget extends PushSubscriptionRecord {
  conversationId: string;
  /** The member's settings of that conversation (defaults when never set). */
  notify: NotifyMode;
  mutedUntil: number | null;
  /** The user's own settings. */
  previews: boolean;
  dnd: Dnd | null;
}

/** A patch of one member's settings of one conversation; null clears. */
export interface ConversationSettingsPatch {
  notify?: NotifyMode;
  mutedUntil?: number | null;
  /** The pin time (now) to pin, null to unpin. */
  pinnedAt?: number | null;
}

/**
 * Push subscriptions and per-conversation notification settings. Conversation
 * settings live with the membership (conversation_members): they go when the
 * member leaves.
 */
export interface NotificationStore {
  /**
   * Stores a session's subscription. The session's earlier subscriptions are
   * replaced (a browser profile has one), and the same endpoint held by any
   * other session or user is taken over (the browser signed in as someone
   * else, who must not get the previous user's pushes).
   */
  savePushSubscription(subscription: PushSubscriptionRecord): Promise<PushSubscriptionRecord>;
  /** Removes the user's own subscription with this endpoint; false when the user has none such. */
  deletePushSubscription(userId: string, endpoint: string): Promise<boolean>;
  /** Removes a subscription whoever holds it: the push service answered 404/410 (expired, unsubscribed). */
  deletePushSubscriptionByEndpoint(endpoint: string): Promise<void>;
  /**
   * The push subscriptions of the members of each conversation but the given
   * sender, of live sessions only (not revoked, not expired at `now`), with
   * the member's settings of that conversation and the user's notification
   * settings. One read for a batch of messages (the send path's group
   * commit): `conversations` pairs each conversation with the sender to leave
   * out. Members with no subscription are not returned.
   */
  listPushTargets(conversations: readonly { conversationId: string; senderId: string }[], now: number): Promise<PushTarget[]>;
  /**
   * Patches one member's settings of a conversation. StoreError
   * `not-in-conversation` (NOT_FOUND) when the user is not a member;
   * `too-many-pins` (CONFLICT) when pinning would make more than
   * MAX_PINNED (protocol) pinned conversations.
   */
  updateConversationSettings(userId: string, conversationId: string, patch: ConversationSettingsPatch): Promise<ConversationSettings>;
}
