import { StoreError, type NotificationStore } from '@parley/domain';
import { MAX_PINNED } from '@parley/protocol';
import {
  MEMBER_SETTINGS_SELECT,
  PINNED_COUNT_SELECT,
  PUSH_TARGETS_SELECT,
  UPDATE_MEMBER_SETTINGS_SQL,
  batchConversationIds,
  deleteReplacedSql,
  patchSettings,
  toPushTargets,
  updateSettingsParams,
  type MemberSettingsRow,
  type PushTargetRow,
} from '../rows/notifications';
import { IN_JSON, type SqliteConnection } from './connection';

/** Push subscriptions and conversation notification settings on SQLite (one writer: no locks to take). */
export function sqliteNotificationStore(conn: SqliteConnection): NotificationStore {
  return {
    savePushSubscription: (s) =>
      conn.write(() => {
        const [bySession, byEndpoint] = deleteReplacedSql('endpoint');
        conn.stmt(bySession).run(s.sessionId);
        conn.stmt(byEndpoint).run(s.endpoint);
        conn
          .stmt('INSERT INTO push_subscriptions (id, user_id, session_id, endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(s.id, s.userId, s.sessionId, s.endpoint, s.p256dh, s.auth, s.createdAt);
        return { ...s };
      }),

    deletePushSubscription: (userId, endpoint) =>
      conn.run(() => conn.stmt('DELETE FROM push_subscriptions WHERE endpoint = ? AND user_id = ?').run(endpoint, userId).changes > 0),

    deletePushSubscriptionByEndpoint: (endpoint) =>
      conn.run(() => {
        conn.stmt('DELETE FROM push_subscriptions WHERE endpoint = ?').run(endpoint);
      }),

    listPushTargets: (conversations, now) =>
      conn.run(() => {
        if (conversations.length === 0) return [];
        const rows = conn.all<PushTargetRow>(`${PUSH_TARGETS_SELECT} ${IN_JSON}`, now, JSON.stringify(batchConversationIds(conversations)));
        return toPushTargets(rows, conversations);
      }),

    updateConversationSettings: (userId, conversationId, patch) =>
      conn.write(() => {
        const current = conn.get<MemberSettingsRow>(MEMBER_SETTINGS_SELECT, conversationId, userId);
        if (!current) throw new StoreError('not-in-conversation');
        const { settings, pinsAnother } = patchSettings(conversationId, current, patch);
        if (pinsAnother && (conn.get<{ pinned: number }>(PINNED_COUNT_SELECT, userId)?.pinned ?? 0) >= MAX_PINNED) {
          throw new StoreError('too-many-pins');
        }
        conn.stmt(UPDATE_MEMBER_SETTINGS_SQL).run(...updateSettingsParams(userId, settings));
        return settings;
      }),
  };
}
