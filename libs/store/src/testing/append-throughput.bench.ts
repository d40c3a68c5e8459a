/*
 * Appends per second through MysqlStore alone (no sockets, no services):
 * closed loop, `--concurrency` callers each appending one message at a time
 * to direct conversations spread round-robin over `--conversations` pairs.
 *
 *   npx tsx libs/store/src/testing/append-throughput.bench.ts [--messages 20000] [--concurrency 200]
 *     [--conversations 100] [--max-batch-size N] [--max-concurrent-batches N] [--url mysql://root@127.0.0.1:3306/]
 *
 * Without --url it starts a throwaway MariaDB (@parley/testing startMariadb)
 * and removes it afterwards. Checks at the end that every conversation holds
 * seqs 1..n with no gap.
 */
import { parseArgs } from 'node:util';
import { directConversationId } from '@parley/protocol';
import type { NewMessage } from '@parley/domain';
import { must } from '@parley/util';
import { createTestDatabase, startMariadb, type MariadbService } from '@parley/testing';
import { MysqlStore } from '../mysql/store';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '200' },
    conversations: { type: 'string', default: '100' },
    'max-batch-size': { type: 'string' },
    'max-concurrent-batches': { type: 'string' },
    url: { type: 'string' },
  },
});

const total = Number(values.messages);
const concurrency = Number(values.concurrency);
const conversations = Number(values.conversations);
// Messages go round-robin over the conversations: there has to be one.
if (!Number.isSafeInteger(conversations) || conversations < 1) {
  throw new Error(`--conversations ${values.conversations}: needs a whole number of at least 1`);
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

async function main(): Promise<void> {
  let server: MariadbService | undefined;
  const serverUrl = values.url ?? (server = await startMariadb()).url;
  const database = await createTestDatabase(serverUrl);
  const batching: Record<string, number> = {};
  if (values['max-batch-size']) batching.maxBatchSize = Number(values['max-batch-size']);
  if (values['max-concurrent-batches']) batching.maxConcurrentBatches = Number(values['max-concurrent-batches']);
  const store = new MysqlStore({ url: database.url, ...batching });
  try {
    await store.migrate();
    const pairs: [string, string][] = [];
    for (let i = 0; i < conversations; i++) {
      const a = `UA${String(i).padStart(5, '0')}`;
      const b = `UB${String(i).padStart(5, '0')}`;
      for (const id of [a, b]) await store.createUser({ id, username: id, displayName: id, passwordHash: 'h', createdAt: 1 });
      pairs.push([a, b]);
    }
    let next = 0;
    const message = (n: number): NewMessage => {
      const [a, b] = must(pairs[n % conversations], 'a conversation pair');
      const [from, to] = n % 2 ? [a, b] : [b, a];
      return {
        id: `M${String(n).padStart(8, '0')}`,
        conversationId: directConversationId(a, b),
        conversationType: 'direct',
        memberIds: [from, to],
        senderId: from,
        kind: 'text',
        body: { text: `message ${n} with some ordinary chat text in it` },
        clientMsgId: `c${n}`,
        createdAt: Date.now(),
      };
    };
    // Warm-up: creates every conversation (not timed).
    for (let i = 0; i < conversations; i++) await store.appendMessage(message(next++));

    const latencies: number[] = [];
    const started = performance.now();
    const caller = async (): Promise<void> => {
      while (next < total + conversations) {
        const m = message(next++);
        const t0 = performance.now();
        await store.appendMessage(m);
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, caller));
    const seconds = (performance.now() - started) / 1000;

    let stored = 0;
    for (const [a, b] of pairs) {
      const id = directConversationId(a, b);
      const lastSeq = (await store.getMemberConversation(a, id))?.lastSeq ?? 0;
      const seqs = (await store.getMessages(a, id, { afterSeq: 0, limit: lastSeq + 1 })).map((m) => m.seq);
      if (seqs.length !== lastSeq || seqs.some((s, i) => s !== i + 1)) throw new Error(`conversation ${id}: seqs not 1..${lastSeq}`);
      stored += seqs.length;
    }
    latencies.sort((x, y) => x - y);
    const result = {
      messages: total,
      concurrency,
      conversations,
      ...batching,
      seconds: Number(seconds.toFixed(2)),
      appendsPerSecond: Math.round(total / seconds),
      latencyMs: {
        p50: Number(percentile(latencies, 0.5).toFixed(1)),
        p99: Number(percentile(latencies, 0.99).toFixed(1)),
        max: Number((latencies.at(-1) ?? 0).toFixed(1)),
      },
      storedAndChecked: stored,
    };
    console.log(JSON.stringify(result));
  } finally {
    await store.close();
    await database.drop().catch(() => undefined);
    await server?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
