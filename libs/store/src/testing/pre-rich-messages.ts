import type { Store } from '@parley/domain';

/*
 * Both engines' migration tests: rows a database held before migration 5
 * (plain SQL both dialects run, after each engine's users), and what every
 * read must answer for them once migrated.
 */

/** A direct conversation of users A and B with messages in several scripts and a system message. */
export const PRE_RICH_MESSAGES_SQL: readonly string[] = [
  `INSERT INTO conversations (id, type, last_seq, last_message_at, created_at) VALUES ('d:A:B', 'direct', 4, 4, 1)`,
  `INSERT INTO conversation_members (conversation_id, user_id) VALUES ('d:A:B', 'A'), ('d:A:B', 'B')`,
  `INSERT INTO messages (id, conversation_id, seq, sender_id, kind, body, client_msg_id, created_at) VALUES
    ('M1', 'd:A:B', 1, 'A', 'text', '{"text":"Old Message 北京"}', 'c1', 1),
    ('M2', 'd:A:B', 2, 'B', 'system', '{"text":"joined"}', 'c2', 2),
    ('M3', 'd:A:B', 3, 'A', 'text', '{"text":"Ärger im Büro"}', 'c3', 3),
    ('M4', 'd:A:B', 4, 'B', 'text', '{"text":"ＡＢＣ full width"}', 'c4', 4)`,
];

const ids = async (found: Promise<{ id: string }[]>): Promise<string[]> => (await found).map((m) => m.id);

/**
 * Migrates a store holding those rows, then checks that the old messages are
 * found as new ones are (NFKC, lowercase in every script) and read with the
 * new columns' defaults; closes the store.
 */
export async function expectPreRichMessagesMigrated(store: Store & { migrate(): Promise<void>; close(): Promise<void> }): Promise<void> {
  try {
    await store.migrate();
    await expectMigrated(store);
  } finally {
    await store.close();
  }
}

async function expectMigrated(store: Store): Promise<void> {
  const search = (q: string) => ids(store.searchMessages('B', { q, limit: 5 }));
  expect(await search('old message')).toEqual(['M1']);
  expect(await search('北京')).toEqual(['M1']);
  expect(await search('joined')).toEqual([]);
  // Beyond ASCII: a capital umlaut lowercased, full-width letters folded by NFKC.
  expect(await search('ärger')).toEqual(['M3']);
  expect(await search('ÄRGER IM')).toEqual(['M3']);
  expect(await search('abc')).toEqual(['M4']);
  expect(await search('ＡＢＣ')).toEqual(['M4']);
  const messages = await store.getMessages('B', 'd:A:B', { afterSeq: 0, limit: 2 });
  expect(messages).toEqual([
    { id: 'M1', conversationId: 'd:A:B', seq: 1, senderId: 'A', kind: 'text', body: { text: 'Old Message 北京' }, clientMsgId: 'c1', createdAt: 1 },
    { id: 'M2', conversationId: 'd:A:B', seq: 2, senderId: 'B', kind: 'system', body: { text: 'joined' }, clientMsgId: 'c2', createdAt: 2 },
  ]);
  // Migrations 7 and 8 give the members and users stored before the notification defaults.
  expect(await store.getMemberConversation('B', 'd:A:B')).toMatchObject({ notify: 'all', mutedUntil: null, pinnedAt: null });
  expect(await store.getUser('A')).toMatchObject({ previews: false, dnd: null });
}
