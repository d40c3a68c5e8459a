import { StoreError, type NotificationStore } from '@parley/domain';
import { MAX_PINNED } from '@parley/protocol';
import type { RowDataPacket } from 'mysql2/promise';
import {
  MEMBER_SETTINGS_SELECT,
  PINNED_COUNT_SELECT,
  PUSH_TARGETS_SELECT,
  UPDATE_MEMBER_SETTINGS_SQL,
  batchConversationIds,
  deleteReplacedSql,
  endpointHash,
  patchSettings,
  toPushTargets,
  updateSettingsParams,
  type MemberSettingsRow,
  type PushTargetRow,
} from '../rows/notifications';
import type { MysqlConnection } from './connection';

/**
 * Push subscriptions and conversation notification settings on MySQL.
 * Endpoints are found by their hash (migration 7 says why).
 */
export function mysqlNotificationStore(conn: MysqlConnection): NotificationStore {
  return {
    savePushSubscription: (s) =>
      conn.transaction(async (c) => {
        // The session row's lock serializes one session's subscribes, so it never keeps two.
        await c.query('SELECT id FROM sessions WHERE id = ? FOR UPDATE', [s.sessionId]);
        const hash = endpointHash(s.endpoint);
        const [bySession, byEndpoint] = deleteReplacedSql('endpoint_hash');
        await c.query(bySession, [s.sessionId]);
        await c.query(byEndpoint, [hash]);
        await c.query(
          'INSERT INTO push_subscriptions (id, user_id, session_id, endpoint, endpoint_hash, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          [s.id, s.userId, s.sessionId, s.endpoint, hash, s.p256dh, s.auth, s.createdAt],
        );
        return { ...s };
      }),

    async deletePushSubscription(userId, endpoint) {
      const result = await conn.execute('DELETE FROM push_subscriptions WHERE endpoint_hash = ? AND user_id = ?', [endpointHash(endpoint), userId]);
      return result.affectedRows > 0;
    },

    async deletePushSubscriptionByEndpoint(endpoint) {
      await conn.execute('DELETE FROM push_subscriptions WHERE endpoint_hash = ?', [endpointHash(endpoint)]);
    },

    async listPushTargets(conversations, now) {
      if (conversations.length === 0) return [];
      const rows = await conn.select<PushTargetRow>(`${PUSH_TARGETS_SELECT} IN (?)`, [now, batchConversationIds(conversations)]);
      return toPushTargets(rows, conversations);
    },

    updateConversationSettings: (userId, conversationId, patch) =>
      conn.transaction(async (c) => {
        // A pin locks the user row first: two pins of one user serialize instead of both counting 19.
        if (patch.pinnedAt !== undefined && patch.pinnedAt !== null) await c.query('SELECT id FROM users WHERE id = ? FOR UPDATE', [userId]);
        const [rows] = await c.query<(MemberSettingsRow & RowDataPacket)[]>(`${MEMBER_SETTINGS_SELECT} FOR UPDATE`, [conversationId, userId]);
        const current = rows[0];
        if (!current) throw new StoreError('not-in-conversation');
        const { settings, pinsAnother } = patchSettings(conversationId, current, patch);
        if (pinsAnother) {
          // A locking (current) read: the count as committed now, not as this transaction's snapshot saw it.
          const [count] = await c.query<RowDataPacket[]>(`${PINNED_COUNT_SELECT} FOR UPDATE`, [userId]);
          if (Number(count[0]?.pinned ?? 0) >= MAX_PINNED) throw new StoreError('too-many-pins');
        }
        await c.query(UPDATE_MEMBER_SETTINGS_SQL, updateSettingsParams(userId, settings));
        return settings;
      }),
  };
}
