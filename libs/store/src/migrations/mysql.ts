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
];
