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
  {
    version: 2,
    name: 'social',
    /* Same as MySQL's migration 2; pending_key is non-NULL only while a request is pending. */
    statements: [
      `ALTER TABLE users ADD COLUMN dm_policy TEXT NOT NULL DEFAULT 'friends'`,
      `ALTER TABLE "groups" ADD COLUMN is_public INTEGER NOT NULL DEFAULT 0`,
      `ALTER TABLE "groups" ADD COLUMN join_approval INTEGER NOT NULL DEFAULT 0`,
      `ALTER TABLE group_members ADD COLUMN muted_until INTEGER NULL`,
      `CREATE TABLE friend_requests (
        id TEXT NOT NULL PRIMARY KEY,
        from_user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        to_user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        note TEXT NULL,
        status TEXT NOT NULL,
        pending_key TEXT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      )`,
      `CREATE UNIQUE INDEX uq_friend_requests_pending ON friend_requests (pending_key)`,
      `CREATE INDEX idx_friend_requests_from ON friend_requests (from_user_id, status)`,
      `CREATE INDEX idx_friend_requests_to ON friend_requests (to_user_id, status)`,
      `CREATE TABLE friendships (
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        friend_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, friend_id)
      ) WITHOUT ROWID`,
      `CREATE TABLE blocks (
        blocker_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        blocked_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (blocker_id, blocked_id)
      ) WITHOUT ROWID`,
      `CREATE TABLE group_join_requests (
        id TEXT NOT NULL PRIMARY KEY,
        group_id TEXT NOT NULL REFERENCES "groups" (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        inviter_id TEXT NULL,
        status TEXT NOT NULL,
        pending_key TEXT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      )`,
      `CREATE UNIQUE INDEX uq_group_join_requests_pending ON group_join_requests (pending_key)`,
      `CREATE INDEX idx_group_join_requests_group ON group_join_requests (group_id, status)`,
    ],
  },
  {
    version: 3,
    name: 'accounts',
    /* Same as MySQL's migration 3; username_key compares binary (SQLite's default). */
    statements: [
      `ALTER TABLE users ADD COLUMN username_key TEXT NULL`,
      `ALTER TABLE users ADD COLUMN deleted_at INTEGER NULL`,
      `ALTER TABLE users ADD COLUMN group_invites TEXT NOT NULL DEFAULT 'friends'`,
      `UPDATE users SET username_key = LOWER(username) WHERE username_key IS NULL`,
      `CREATE UNIQUE INDEX uq_users_username_key ON users (username_key)`,
      `CREATE TABLE sessions (
        id TEXT NOT NULL PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        refresh_hash BLOB NOT NULL,
        prev_refresh_hash BLOB NULL,
        rotated_at INTEGER NULL,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER NULL,
        revoke_reason TEXT NULL,
        user_agent TEXT NULL
      )`,
      `CREATE INDEX idx_sessions_user ON sessions (user_id, revoked_at)`,
      `CREATE TABLE group_invitations (
        id TEXT NOT NULL PRIMARY KEY,
        group_id TEXT NOT NULL REFERENCES "groups" (id) ON DELETE CASCADE,
        inviter_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        invitee_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        status TEXT NOT NULL,
        pending_key TEXT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      )`,
      `CREATE UNIQUE INDEX uq_group_invitations_pending ON group_invitations (pending_key)`,
      `CREATE INDEX idx_group_invitations_invitee ON group_invitations (invitee_id, status)`,
    ],
  },
  {
    version: 4,
    name: 'admin',
    /* Same as MySQL's migration 4. WITHOUT ROWID: the audit log is stored in id order, the order it is read in. */
    statements: [
      `ALTER TABLE users ADD COLUMN suspended_at INTEGER NULL`,
      `ALTER TABLE users ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0`,
      `CREATE TABLE audit_log (
        id TEXT NOT NULL PRIMARY KEY,
        at INTEGER NOT NULL,
        actor_id TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL,
        gateway_id TEXT NOT NULL
      ) WITHOUT ROWID`,
    ],
  },
  {
    version: 5,
    name: 'rich messages',
    /*
     * Same as MySQL's migration 5, except search: an FTS5 table with the
     * trigram tokenizer over messages.search_text (external content, kept in
     * step by triggers), so any substring of three characters or more is
     * found by the index in any script; shorter queries test the text.
     * search_text is the NFKC-lowercased text (rows/search.ts); the rows
     * stored before get SQLite's ASCII LOWER of their text here, which
     * migration 6 replaces.
     */
    statements: [
      `ALTER TABLE messages ADD COLUMN reply_to TEXT NULL`,
      `ALTER TABLE messages ADD COLUMN mentions TEXT NULL`,
      `ALTER TABLE messages ADD COLUMN edited_at INTEGER NULL`,
      `ALTER TABLE messages ADD COLUMN recalled_at INTEGER NULL`,
      `ALTER TABLE messages ADD COLUMN target_id TEXT NULL`,
      `ALTER TABLE messages ADD COLUMN change_type TEXT NULL`,
      `ALTER TABLE messages ADD COLUMN change_json TEXT NULL`,
      `ALTER TABLE messages ADD COLUMN visible_to TEXT NULL`,
      `ALTER TABLE messages ADD COLUMN reactions TEXT NULL`,
      `ALTER TABLE messages ADD COLUMN search_text TEXT NULL`,
      `CREATE INDEX idx_messages_target ON messages (target_id) WHERE target_id IS NOT NULL`,
      `UPDATE messages SET search_text = LOWER(TRIM(json_extract(body, '$.text')))
       WHERE kind = 'text' AND TRIM(json_extract(body, '$.text')) <> ''`,
      `CREATE TABLE message_reactions (
        message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        emoji TEXT NOT NULL,
        seq INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (message_id, user_id, emoji)
      ) WITHOUT ROWID`,
      `CREATE TABLE message_mentions (
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        PRIMARY KEY (conversation_id, seq, user_id)
      ) WITHOUT ROWID`,
      `CREATE TABLE message_hidden (
        user_id TEXT NOT NULL,
        message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        PRIMARY KEY (user_id, message_id)
      ) WITHOUT ROWID`,
      `CREATE INDEX idx_message_hidden_message ON message_hidden (message_id)`,
      `CREATE TABLE message_versions (
        message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        text TEXT NOT NULL,
        edited_at INTEGER NOT NULL,
        PRIMARY KEY (message_id, version)
      ) WITHOUT ROWID`,
      `CREATE TABLE uploads (
        id TEXT NOT NULL PRIMARY KEY,
        owner_id TEXT NOT NULL,
        name TEXT NOT NULL,
        declared_size INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        attachment TEXT NULL,
        conversation_id TEXT NULL,
        client_msg_id TEXT NULL
      )`,
      `CREATE INDEX idx_uploads_owner ON uploads (owner_id, expires_at)`,
      `CREATE INDEX idx_uploads_expiry ON uploads (expires_at) WHERE conversation_id IS NULL`,
      // rowid: messages has no INTEGER PRIMARY KEY; Parley never runs VACUUM, which could renumber it (reads confirm the text anyway).
      `CREATE VIRTUAL TABLE message_search USING fts5(search_text, content='messages', content_rowid='rowid', tokenize='trigram')`,
      `INSERT INTO message_search (message_search) VALUES ('rebuild')`,
      `CREATE TRIGGER messages_search_insert AFTER INSERT ON messages WHEN new.search_text IS NOT NULL BEGIN
        INSERT INTO message_search (rowid, search_text) VALUES (new.rowid, new.search_text);
      END`,
      `CREATE TRIGGER messages_search_delete AFTER DELETE ON messages WHEN old.search_text IS NOT NULL BEGIN
        INSERT INTO message_search (message_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
      END`,
      `CREATE TRIGGER messages_search_update AFTER UPDATE OF search_text ON messages BEGIN
        INSERT INTO message_search (message_search, rowid, search_text) SELECT 'delete', old.rowid, old.search_text WHERE old.search_text IS NOT NULL;
        INSERT INTO message_search (rowid, search_text) SELECT new.rowid, new.search_text WHERE new.search_text IS NOT NULL;
      END`,
    ],
  },
  {
    version: 6,
    name: 'search backfill',
    /*
     * No SQL: SqliteStore sets search_text of the messages stored before
     * migration 5 with searchTextOf (sqlite/search-backfill.ts), NFKC and
     * lowercase in every script, as MySQL's migration 6 does; SQLite's LOWER
     * only knows ASCII. In the same transaction as its record.
     */
    statements: [],
  },
  {
    version: 7,
    name: 'push subscriptions',
    /* Same as MySQL's migration 7; TEXT has no key length limit here, so the endpoint itself is unique. */
    statements: [
      `CREATE TABLE push_subscriptions (
        id TEXT NOT NULL PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        endpoint TEXT NOT NULL,
        p256dh TEXT NOT NULL,
        auth TEXT NOT NULL,
        created_at INTEGER NOT NULL
      )`,
      `CREATE UNIQUE INDEX uq_push_subscriptions_endpoint ON push_subscriptions (endpoint)`,
      `CREATE INDEX idx_push_subscriptions_user ON push_subscriptions (user_id)`,
      `CREATE INDEX idx_push_subscriptions_session ON push_subscriptions (session_id)`,
      `ALTER TABLE conversation_members ADD COLUMN notify TEXT NOT NULL DEFAULT 'all'`,
      `ALTER TABLE conversation_members ADD COLUMN muted_until INTEGER NULL`,
      `ALTER TABLE conversation_members ADD COLUMN pinned_at INTEGER NULL`,
    ],
  },
  {
    version: 8,
    name: 'notification settings',
    /* Same as MySQL's migration 8. */
    statements: [
      `ALTER TABLE users ADD COLUMN push_previews INTEGER NOT NULL DEFAULT 0`,
      `ALTER TABLE users ADD COLUMN dnd_json TEXT NULL`,
    ],
  },
];
