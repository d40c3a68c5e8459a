import { createHash } from 'node:crypto';
import type { ConversationSettingsPatch, PushTarget } from '@parley/domain';
import type { ConversationSettings, NotifyMode } from '@parley/protocol';
import { parseDnd } from './users';

/*
 * Push subscriptions and per-conversation notification settings
 * (NotificationStore), written once for both engines.
 */

/**
 * The key MySQL stores an endpoint under (hex SHA-256): an endpoint of up to
 * 2048 characters is too long for a unique key there. SQLite keys the
 * endpoint itself.
 */
export function endpointHash(endpoint: string): string {
  return createHash('sha256').update(endpoint, 'utf8').digest('hex');
}

/**
 * The push subscriptions of the members of some conversations, of live
 * sessions only, with the member's and the user's settings. The engine
 * appends its list test for `cm.conversation_id` (bind `now`, then the
 * list). Driven by the members (the primary key's conversation prefix), one
 * index probe per member into push_subscriptions: members without a
 * subscription cost that probe and return nothing.
 */
export const PUSH_TARGETS_SELECT = `
  SELECT cm.conversation_id, ps.id, ps.user_id, ps.session_id, ps.endpoint, ps.p256dh, ps.auth, ps.created_at,
         cm.notify, cm.muted_until, u.push_previews, u.dnd_json
  FROM conversation_members cm
  JOIN push_subscriptions ps ON ps.user_id = cm.user_id
  JOIN sessions s ON s.id = ps.session_id
  JOIN users u ON u.id = cm.user_id
  WHERE s.revoked_at IS NULL AND s.expires_at > ? AND u.deleted_at IS NULL AND cm.conversation_id`;

export interface PushTargetRow {
  conversation_id: string;
  id: string;
  user_id: string;
  session_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: number;
  notify: string;
  muted_until: number | null;
  push_previews: number;
  dnd_json: string | null;
}

/** The distinct conversations of a batch, to read each once. */
export function batchConversationIds(conversations: readonly { conversationId: string }[]): string[] {
  return [...new Set(conversations.map((c) => c.conversationId))];
}

/**
 * The targets of a batch from PUSH_TARGETS_SELECT's rows: a member's
 * subscription is kept when some entry of its conversation has another
 * sender (the same conversation may come twice in a batch, from two
 * senders: each message's own sender is then left out by the caller, who
 * pairs targets with messages anyway). The query reads the senders' rows
 * too: one statement for the batch instead of one per sender.
 */
export function toPushTargets(rows: readonly PushTargetRow[], conversations: readonly { conversationId: string; senderId: string }[]): PushTarget[] {
  const senders = new Map<string, Set<string>>();
  for (const { conversationId, senderId } of conversations) {
    const set = senders.get(conversationId) ?? new Set<string>();
    set.add(senderId);
    senders.set(conversationId, set);
  }
  const onlySender = (row: PushTargetRow): boolean => {
    const set = senders.get(row.conversation_id);
    return set !== undefined && set.size === 1 && set.has(row.user_id);
  };
  return rows.filter((row) => !onlySender(row)).map(toPushTarget);
}

function toPushTarget(row: PushTargetRow): PushTarget {
  return {
    id: row.id,
    userId: row.user_id,
    sessionId: row.session_id,
    endpoint: row.endpoint,
    p256dh: row.p256dh,
    auth: row.auth,
    createdAt: Number(row.created_at),
    conversationId: row.conversation_id,
    notify: row.notify as NotifyMode,
    mutedUntil: row.muted_until === null ? null : Number(row.muted_until),
    previews: Number(row.push_previews) === 1,
    dnd: parseDnd(row.dnd_json),
  };
}

/** One member's settings of one conversation; bind conversation id, user id. */
export const MEMBER_SETTINGS_SELECT = 'SELECT notify, muted_until, pinned_at FROM conversation_members WHERE conversation_id = ? AND user_id = ?';

export interface MemberSettingsRow {
  notify: string;
  muted_until: number | null;
  pinned_at: number | null;
}

/** How many conversations the user has pinned; bind the user id. */
export const PINNED_COUNT_SELECT = 'SELECT COUNT(*) AS pinned FROM conversation_members WHERE user_id = ? AND pinned_at IS NOT NULL';

/** Bind updateSettingsParams(). */
export const UPDATE_MEMBER_SETTINGS_SQL =
  'UPDATE conversation_members SET notify = ?, muted_until = ?, pinned_at = ? WHERE conversation_id = ? AND user_id = ?';

export function updateSettingsParams(userId: string, settings: ConversationSettings): unknown[] {
  return [settings.notify, settings.mutedUntil, settings.pinnedAt, settings.conversationId, userId];
}

/**
 * The settings after a patch, and whether it pins a conversation that was
 * not pinned (the only change the pin limit counts). Pinning one already
 * pinned keeps its pin time: a repeated command does not reorder the list.
 */
export function patchSettings(
  conversationId: string,
  current: MemberSettingsRow,
  patch: ConversationSettingsPatch,
): { settings: ConversationSettings; pinsAnother: boolean } {
  const pinnedAt = current.pinned_at === null ? null : Number(current.pinned_at);
  const nextPinnedAt = patch.pinnedAt === undefined ? pinnedAt : patch.pinnedAt === null ? null : (pinnedAt ?? patch.pinnedAt);
  const mutedUntil = current.muted_until === null ? null : Number(current.muted_until);
  return {
    settings: {
      conversationId,
      notify: patch.notify ?? (current.notify as NotifyMode),
      mutedUntil: patch.mutedUntil === undefined ? mutedUntil : patch.mutedUntil,
      pinnedAt: nextPinnedAt,
    },
    pinsAnother: pinnedAt === null && nextPinnedAt !== null,
  };
}

/**
 * What storing a session's subscription first deletes: the session's earlier
 * ones (bind the session id), then any holder of the same endpoint (bind its
 * key: the hash on MySQL, the endpoint on SQLite). Two statements, each on
 * its own index (an OR would scan, and lock, the table on MySQL).
 */
export function deleteReplacedSql(endpointColumn: 'endpoint' | 'endpoint_hash'): [bySession: string, byEndpoint: string] {
  return ['DELETE FROM push_subscriptions WHERE session_id = ?', `DELETE FROM push_subscriptions WHERE ${endpointColumn} = ?`];
}
