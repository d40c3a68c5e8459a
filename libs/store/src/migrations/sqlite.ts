import type { Migration } from './migration';

/*
 * Same schema as migrations/mysql.ts. Usernames are ASCII (USERNAME_PATTERN),
 * so COLLATE NOCASE gives case-insensitive uniqueness; ids compare binary.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'init',
    statements: [
      `CREATE TABLE users (
        id TEXT NOT NULL PRIMARY KEY,
        username TEXT NOT NULL COLLATE NOCASE,
        display_name TEXT NOT NULL,
        avatar_url TEXT NULL,
        bio TEXT NULL,
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL
      )`,
      `CREATE UNIQUE INDEX uq_users_username ON users (username)`,
      `CREATE TABLE "groups" (
        id TEXT NOT NULL PRIMARY KEY,
        name TEXT NOT NULL,
        owner_id TEXT NOT NULL REFERENCES users (id),
        announcement TEXT NULL,
        mute_all INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      )`,
      `CREATE TABLE group_members (
        group_id TEXT NOT NULL REFERENCES "groups" (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users (id),
        role TEXT NOT NULL,
        joined_at INTEGER NOT NULL,
        PRIMARY KEY (group_id, user_id)
      ) WITHOUT ROWID`,
      `CREATE INDEX idx_group_members_user ON group_members (user_id)`,
      `CREATE TABLE conversations (
        id TEXT NOT NULL PRIMARY KEY,
        type TEXT NOT NULL,
        group_id TEXT NULL REFERENCES "groups" (id) ON DELETE CASCADE,
        last_seq INTEGER NOT NULL DEFAULT 0,
        last_message_at INTEGER NULL,
        created_at INTEGER NOT NULL
      )`,
      `CREATE TABLE conversation_members (
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users (id),
        delivered_seq INTEGER NOT NULL DEFAULT 0,
        read_seq INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (conversation_id, user_id)
      ) WITHOUT ROWID`,
      `CREATE INDEX idx_conversation_members_user ON conversation_members (user_id)`,
      `CREATE TABLE messages (
        id TEXT NOT NULL PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        sender_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        client_msg_id TEXT NOT NULL,
        created_at INTEGER NOT NULL
      )`,
      `CREATE UNIQUE INDEX uq_messages_seq ON messages (conversation_id, seq)`,
      `CREATE UNIQUE INDEX uq_messages_client ON messages (sender_id, client_msg_id)`,
    ],
  },
];
