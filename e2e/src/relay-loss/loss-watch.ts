import type { Message } from '@parley/protocol';
import type { TestUser } from '../support/test-user';
import { parseMetrics } from '../metrics/scrape';

/** A push or notice that has not come within this long is a failure (a silent loss), never a wait. */
export const NOTICE_TIMEOUT_MS = 20_000;

/**
 * What one session got, in arrival order: each `message:new` and each
 * `server:resync`, so a test can tell which notices came after a point
 * (`mark()`), and whether a message was pushed twice.
 */
export class PushLog {
  readonly arrivals: ({ kind: 'message'; message: Message } | { kind: 'resync' })[] = [];

  constructor(readonly session: TestUser) {
    const socket = session.socket;
    if (!socket) throw new Error('PushLog: connect the session first');
    socket.on('message:new', (message) => this.arrivals.push({ kind: 'message', message }));
    socket.on('server:resync', () => this.arrivals.push({ kind: 'resync' }));
  }

  mark(): number {
    return this.arrivals.length;
  }

  /** Ids of the messages of `conversationId` pushed live, in arrival order, duplicates kept. */
  liveIds(conversationId: string): string[] {
    return this.arrivals.flatMap((a) => (a.kind === 'message' && a.message.conversationId === conversationId ? [a.message.id] : []));
  }

  resyncsSince(mark = 0): number {
    return this.arrivals.slice(mark).filter((a) => a.kind === 'resync').length;
  }

  /** Resolves once `check` holds, re-checked at each push this session gets; rejects after NOTICE_TIMEOUT_MS naming `what`. */
  until(what: string, check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    const socket = this.session.socket;
    if (!socket) return Promise.reject(new Error(`${what}: session not connected`));
    return new Promise<void>((resolve, reject) => {
      // onAny runs before the per-event listeners have recorded the push; a microtask runs after them.
      const onPush = (): void =>
        queueMicrotask(() => {
          if (!check()) return;
          stop();
          resolve();
        });
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`${what}: not within ${NOTICE_TIMEOUT_MS} ms`));
      }, NOTICE_TIMEOUT_MS);
      const stop = (): void => {
        clearTimeout(timer);
        socket.offAny(onPush);
      };
      socket.onAny(onPush);
    });
  }
}

/** Every message of `conversationId` after `sinceSeq`, through `sync` page by page as a client catching up does. */
export async function syncAfter(session: TestUser, conversationId: string, sinceSeq: number): Promise<Message[]> {
  const messages: Message[] = [];
  for (let since = sinceSeq, more = true; more; ) {
    const { conversations } = await session.ok('sync', { since: { [conversationId]: since }, limit: 50 });
    const page = conversations.find((c) => c.conversationId === conversationId);
    if (!page) break;
    messages.push(...page.messages);
    more = page.hasMore;
    if (more && page.throughSeq <= since) throw new Error(`sync of ${conversationId} did not move past seq ${since}`);
    since = page.throughSeq;
  }
  return messages;
}

/** What one session saw of a burst by the time it was told to resync (or got it all): how many came live, once each; what went wrong. */
export interface Verdict {
  live: number;
  resynced: boolean;
  problems: string[];
}

/**
 * The verdict for one session after a forced loss: every sent message was
 * pushed live, or a resync came after `mark` and a sync from before the
 * burst returns exactly the sent messages in order. Resolves with what the
 * session saw (a clean verdict is `ok: true`); waits for the resync, never
 * for time.
 */
export async function caughtUp(
  log: PushLog,
  conversationId: string,
  sinceSeq: number,
  sent: readonly Message[],
  mark: number,
): Promise<Verdict> {
  const sentIds = new Set(sent.map((m) => m.id));
  const live = (): string[] => log.liveIds(conversationId).filter((id) => sentIds.has(id));
  await log.until(`all ${sent.length} pushed live or a server:resync`, () => new Set(live()).size === sent.length || log.resyncsSince(mark) > 0);
  const problems: string[] = [];
  const liveIds = live();
  if (new Set(liveIds).size !== liveIds.length) problems.push(`a message was pushed twice (${liveIds.length} pushes of ${new Set(liveIds).size})`);
  const resynced = log.resyncsSince(mark) > 0;
  if (resynced) {
    const synced = await syncAfter(log.session, conversationId, sinceSeq);
    const got = synced.map((m) => m.id).join(',');
    const want = sent.map((m) => m.id).join(',');
    if (got !== want) problems.push(`sync returned ${synced.length} messages (seqs ${synced.map((m) => m.seq).join(',')}), not the ${sent.length} sent in order`);
  }
  return { live: new Set(liveIds).size, resynced, problems };
}

/** A counter of a process's /metrics: the sum of its series with these labels. */
export async function metricValue(baseUrl: string, name: string, labels: Record<string, string>): Promise<number> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (res.status !== 200) throw new Error(`GET ${baseUrl}/metrics: ${res.status}`);
  return parseMetrics(await res.text()).value(name, labels);
}
