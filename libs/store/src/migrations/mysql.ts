import type { Migration } from './migration';

/*
 * Text columns use utf8mb4_unicode_ci, so `username` is unique regardless of
 * case. Ids are compared byte for byte (utf8mb4_bin): ULIDs and derived
 * conversation ids are case-sensitive. `groups` is a reserved word in MySQL 8,
 * hence the backticks.
 */
const TABLE = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
const ID = 'VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';
const CONV_ID = 'VARCHAR(160) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';

export const MYSQL_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'init',
    statements: [
      `CREATE TABLE IF NOT EXISTS users (
        id ${ID} NOT NULL PRIMARY KEY,
        username VARCHAR(64) NOT NULL,
        display_name VARCHAR(128) NOT NULL,
        avatar_url VARCHAR(1024) NULL,
        bio TEXT NULL,
        password_hash VARCHAR(255) NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE KEY uq_users_username (username)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS \`groups\` (
        id ${ID} NOT NULL PRIMARY KEY,
        name VARCHAR(128) NOT NULL,
        owner_id ${ID} NOT NULL,
        announcement TEXT NULL,
        mute_all TINYINT(1) NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        CONSTRAINT fk_groups_owner FOREIGN KEY (owner_id) REFERENCES users (id)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS group_members (
        group_id ${ID} NOT NULL,
        user_id ${ID} NOT NULL,
        role VARCHAR(16) NOT NULL,
        joined_at BIGINT NOT NULL,
        PRIMARY KEY (group_id, user_id),
        KEY idx_group_members_user (user_id),
        CONSTRAINT fk_group_members_group FOREIGN KEY (group_id) REFERENCES \`groups\` (id) ON DELETE CASCADE,
        CONSTRAINT fk_group_members_user FOREIGN KEY (user_id) REFERENCES users (id)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS conversations (
        id ${CONV_ID} NOT NULL PRIMARY KEY,
        type VARCHAR(16) NOT NULL,
        group_id ${ID} NULL,
        last_seq BIGINT NOT NULL DEFAULT 0,
        last_message_at BIGINT NULL,
        created_at BIGINT NOT NULL,
        CONSTRAINT fk_conversations_group FOREIGN KEY (group_id) REFERENCES \`groups\` (id) ON DELETE CASCADE
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS conversation_members (
        conversation_id ${CONV_ID} NOT NULL,
        user_id ${ID} NOT NULL,
        delivered_seq BIGINT NOT NULL DEFAULT 0,
        read_seq BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (conversation_id, user_id),
        KEY idx_conversation_members_user (user_id),
        CONSTRAINT fk_conversation_members_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE,
        CONSTRAINT fk_conversation_members_user FOREIGN KEY (user_id) REFERENCES users (id)
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS messages (
        id ${ID} NOT NULL PRIMARY KEY,
        conversation_id ${CONV_ID} NOT NULL,
        seq BIGINT NOT NULL,
        sender_id ${ID} NOT NULL,
        kind VARCHAR(16) NOT NULL,
        body TEXT NOT NULL,
        client_msg_id ${ID} NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE KEY uq_messages_seq (conversation_id, seq),
        UNIQUE KEY uq_messages_client (sender_id, client_msg_id),
        CONSTRAINT fk_messages_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
      ) ${TABLE}`,
    ],
  },
  {
    version: 2,
    name: 'social',
    /*
     * ALTER TABLE ... ADD COLUMN has no IF NOT EXISTS on MySQL 8, so each
     * table's columns are added in one statement (atomic on its own); the new
     * tables are re-runnable. pending_key is set only while a request is
     * pending, so the unique key allows one pending request per pair while
     * keeping any number of answered ones (NULLs never clash).
     */
    statements: [
      `ALTER TABLE users ADD COLUMN dm_policy VARCHAR(16) NOT NULL DEFAULT 'friends'`,
      `ALTER TABLE \`groups\`
        ADD COLUMN is_public TINYINT(1) NOT NULL DEFAULT 0,
        ADD COLUMN join_approval TINYINT(1) NOT NULL DEFAULT 0`,
      `ALTER TABLE group_members ADD COLUMN muted_until BIGINT NULL`,
      `CREATE TABLE IF NOT EXISTS friend_requests (
        id ${ID} NOT NULL PRIMARY KEY,
        from_user_id ${ID} NOT NULL,
        to_user_id ${ID} NOT NULL,
        note TEXT NULL,
        status VARCHAR(16) NOT NULL,
        pending_key ${CONV_ID} NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        UNIQUE KEY uq_friend_requests_pending (pending_key),
        KEY idx_friend_requests_from (from_user_id, status),
        KEY idx_friend_requests_to (to_user_id, status),
        CONSTRAINT fk_friend_requests_from FOREIGN KEY (from_user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_friend_requests_to FOREIGN KEY (to_user_id) REFERENCES users (id) ON DELETE CASCADE
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS friendships (
        user_id ${ID} NOT NULL,
        friend_id ${ID} NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (user_id, friend_id),
        CONSTRAINT fk_friendships_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_friendships_friend FOREIGN KEY (friend_id) REFERENCES users (id) ON DELETE CASCADE
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS blocks (
        blocker_id ${ID} NOT NULL,
        blocked_id ${ID} NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (blocker_id, blocked_id),
        CONSTRAINT fk_blocks_blocker FOREIGN KEY (blocker_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_blocks_blocked FOREIGN KEY (blocked_id) REFERENCES users (id) ON DELETE CASCADE
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS group_join_requests (
        id ${ID} NOT NULL PRIMARY KEY,
        group_id ${ID} NOT NULL,
        user_id ${ID} NOT NULL,
        inviter_id ${ID} NULL,
        status VARCHAR(16) NOT NULL,
        pending_key ${CONV_ID} NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        UNIQUE KEY uq_group_join_requests_pending (pending_key),
        KEY idx_group_join_requests_group (group_id, status),
        CONSTRAINT fk_group_join_requests_group FOREIGN KEY (group_id) REFERENCES \`groups\` (id) ON DELETE CASCADE,
        CONSTRAINT fk_group_join_requests_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      ) ${TABLE}`,
    ],
  },
  {
    version: 3,
    name: 'accounts',
    /*
     * username_key: the canonical username (NFKC + case fold, see
     * usernameKey()) compared byte for byte, so lookups and the limiter agree
     * whatever the collation ignores. A deleted account keeps its row (its
     * messages still name a sender) with its key replaced, freeing the name.
     * sessions: one per sign-in; the refresh token is kept only as a hash, with
     * the previous one to detect reuse. group_invitations: pending_key is set
     * while pending (one pending invitation per group and invitee).
     */
    statements: [
      `ALTER TABLE users
        ADD COLUMN username_key VARBINARY(128) NULL,
        ADD COLUMN deleted_at BIGINT NULL,
        ADD COLUMN group_invites VARCHAR(16) NOT NULL DEFAULT 'friends'`,
      `UPDATE users SET username_key = CAST(LOWER(username) AS BINARY) WHERE username_key IS NULL`,
      `ALTER TABLE users MODIFY username_key VARBINARY(128) NOT NULL, ADD UNIQUE KEY uq_users_username_key (username_key)`,
      `CREATE TABLE IF NOT EXISTS sessions (
        id ${ID} NOT NULL PRIMARY KEY,
        user_id ${ID} NOT NULL,
        refresh_hash VARBINARY(64) NOT NULL,
        prev_refresh_hash VARBINARY(64) NULL,
        rotated_at BIGINT NULL,
        created_at BIGINT NOT NULL,
        last_used_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        revoked_at BIGINT NULL,
        revoke_reason VARCHAR(32) NULL,
        user_agent VARCHAR(255) NULL,
        KEY idx_sessions_user (user_id, revoked_at),
        CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS group_invitations (
        id ${ID} NOT NULL PRIMARY KEY,
        group_id ${ID} NOT NULL,
        inviter_id ${ID} NOT NULL,
        invitee_id ${ID} NOT NULL,
        status VARCHAR(16) NOT NULL,
        pending_key ${CONV_ID} NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        UNIQUE KEY uq_group_invitations_pending (pending_key),
        KEY idx_group_invitations_invitee (invitee_id, status),
        CONSTRAINT fk_group_invitations_group FOREIGN KEY (group_id) REFERENCES \`groups\` (id) ON DELETE CASCADE,
        CONSTRAINT fk_group_invitations_inviter FOREIGN KEY (inviter_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_group_invitations_invitee FOREIGN KEY (invitee_id) REFERENCES users (id) ON DELETE CASCADE
      ) ${TABLE}`,
    ],
  },
  {
    version: 4,
    name: 'admin',
    /*
     * suspended_at: when an operator suspended the account (no sign-in, no
     * refresh). is_admin: the admin role kept in the store. audit_log: every
     * operator action, append-only, read newest first by its primary key (a
     * ULID, so the clustered index is the order it is listed in). No foreign
     * key: the log outlives whatever it names. The table comes first and the
     * one ALTER last, so a run cut short is re-runnable.
     */
    statements: [
      `CREATE TABLE IF NOT EXISTS audit_log (
        id ${ID} NOT NULL PRIMARY KEY,
        at BIGINT NOT NULL,
        actor_id ${ID} NOT NULL,
        action VARCHAR(32) NOT NULL,
        target VARCHAR(255) NOT NULL,
        detail VARCHAR(1000) NOT NULL,
        gateway_id VARCHAR(128) NOT NULL
      ) ${TABLE}`,
      `ALTER TABLE users
        ADD COLUMN suspended_at BIGINT NULL,
        ADD COLUMN is_admin TINYINT(1) NOT NULL DEFAULT 0`,
    ],
  },
  {
    version: 5,
    name: 'rich messages',
    /*
     * Replies, mentions, edits, recalls and the change entries (target_id,
     * change_type, change_json, visible_to) on messages, which keep each
     * message's current state (reactions as JSON, so a page is one read);
     * message_reactions, message_mentions (the "@" marker), message_hidden
     * (delete for me), message_versions and uploads beside them.
     *
     * Search: MariaDB has no ngram FULLTEXT parser, so search_tokens holds
     * the text's character bigrams as ASCII words the adapter makes
     * (rows/search.ts), under a plain FULLTEXT index; search_text is the
     * NFKC-lowercased text compared byte for byte (utf8mb4_bin) to confirm a
     * substring. With MySQL 8 the same columns work. The rows stored before
     * get both from migration 6. Emoji compare binary:
     * utf8mb4_unicode_ci weighs many emoji the same.
     *
     * New tables first, the one ALTER last, so a run cut short is re-runnable.
     */
    statements: [
      `CREATE TABLE IF NOT EXISTS message_reactions (
        message_id ${ID} NOT NULL,
        user_id ${ID} NOT NULL,
        emoji VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
        seq BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (message_id, user_id, emoji),
        CONSTRAINT fk_message_reactions_message FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS message_mentions (
        conversation_id ${CONV_ID} NOT NULL,
        seq BIGINT NOT NULL,
        user_id ${ID} NOT NULL,
        PRIMARY KEY (conversation_id, seq, user_id),
        CONSTRAINT fk_message_mentions_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS message_hidden (
        user_id ${ID} NOT NULL,
        message_id ${ID} NOT NULL,
        PRIMARY KEY (user_id, message_id),
        KEY idx_message_hidden_message (message_id),
        CONSTRAINT fk_message_hidden_message FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS message_versions (
        message_id ${ID} NOT NULL,
        version INT NOT NULL,
        text TEXT NOT NULL,
        edited_at BIGINT NOT NULL,
        PRIMARY KEY (message_id, version),
        CONSTRAINT fk_message_versions_message FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE
      ) ${TABLE}`,
      `CREATE TABLE IF NOT EXISTS uploads (
        id ${ID} NOT NULL PRIMARY KEY,
        owner_id ${ID} NOT NULL,
        name VARCHAR(255) NOT NULL,
        declared_size BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        status VARCHAR(16) NOT NULL,
        attachment TEXT NULL,
        conversation_id ${CONV_ID} NULL,
        client_msg_id ${ID} NULL,
        KEY idx_uploads_owner (owner_id, expires_at),
        KEY idx_uploads_expiry (expires_at)
      ) ${TABLE}`,
      `ALTER TABLE messages
        ADD COLUMN reply_to ${ID} NULL,
        ADD COLUMN mentions TEXT NULL,
        ADD COLUMN edited_at BIGINT NULL,
        ADD COLUMN recalled_at BIGINT NULL,
        ADD COLUMN target_id ${ID} NULL,
        ADD COLUMN change_type VARCHAR(16) NULL,
        ADD COLUMN change_json TEXT NULL,
        ADD COLUMN visible_to ${ID} NULL,
        ADD COLUMN reactions TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
        ADD COLUMN search_text TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
        ADD COLUMN search_tokens MEDIUMTEXT CHARACTER SET ascii COLLATE ascii_bin NULL,
        ADD KEY idx_messages_target (target_id),
        ADD FULLTEXT KEY ft_messages_search (search_tokens)`,
    ],
  },
  {
    version: 6,
    name: 'search backfill',
    /*
     * No SQL: MysqlStore fills search_text and search_tokens of the text
     * messages stored before migration 5 (mysql/search-backfill.ts), since
     * only the adapter makes the bigram words. A step of its own so a run cut
     * short repeats only this (it skips rows already filled).
     */
    statements: [],
  },
  {
    version: 7,
    name: 'push subscriptions',
    /*
     * push_subscriptions: one row per Web Push subscription, owned by the
     * auth session that subscribed (gone with it: revocation and account
     * deletion delete the rows, expiry is filtered out by listPushTargets).
     * An endpoint is up to 2048 characters: too long for a unique key in
     * utf8mb4 InnoDB, so endpoint_hash (hex SHA-256 of the endpoint, made by
     * the adapter: rows/notifications.ts) is the unique key and what lookups
     * use. The member's notification and pin settings live with the
     * membership (conversation_members), so they go when the member leaves.
     * The new table first, the one ALTER last, so a run cut short is re-runnable.
     */
    statements: [
      `CREATE TABLE IF NOT EXISTS push_subscriptions (
        id ${ID} NOT NULL PRIMARY KEY,
        user_id ${ID} NOT NULL,
        session_id ${ID} NOT NULL,
        endpoint VARCHAR(2048) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
        endpoint_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        p256dh VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        auth VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE KEY uq_push_subscriptions_endpoint (endpoint_hash),
        KEY idx_push_subscriptions_user (user_id),
        KEY idx_push_subscriptions_session (session_id),
        CONSTRAINT fk_push_subscriptions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_push_subscriptions_session FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
      ) ${TABLE}`,
      `ALTER TABLE conversation_members
        ADD COLUMN notify VARCHAR(16) NOT NULL DEFAULT 'all',
        ADD COLUMN muted_until BIGINT NULL,
        ADD COLUMN pinned_at BIGINT NULL`,
    ],
  },
  {
    version: 8,
    name: 'notification settings',
    /*
     * The user's own notification settings: push_previews (pushes show the
     * sender and text) and dnd_json (do-not-disturb hours as the protocol's
     * Dnd JSON, NULL when off). A step of its own: one ALTER per migration
     * keeps each re-runnable.
     */
    statements: [
      `ALTER TABLE users
        ADD COLUMN push_previews TINYINT(1) NOT NULL DEFAULT 0,
        ADD COLUMN dnd_json VARCHAR(255) NULL`,
    ],
  },
];
