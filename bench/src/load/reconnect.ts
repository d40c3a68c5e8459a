/** The reconnect storm of a worker's sessions (S4), and the catch-up that makes them up-to-date clients first. */
import type { Socket } from 'socket.io-client';
import { encode, newHistogram, nowMs, recordMs } from './histogram';
import { boundedAll, bump, type AckBody, type Session } from './lanes';
import type { StormResult } from './protocol';

/** Each session learns its conversations' last seqs, as a client that has been online all along holds them. */
export async function catchUp(all: readonly Session[], concurrency: number): Promise<{ errors: Record<string, number> }> {
  const errors: Record<string, number> = {};
  await boundedAll(all, concurrency, async (s) => {
    try {
      const res = (await s.socket?.timeout(60_000).emitWithAck('conversation:list', {})) as (AckBody & { conversations?: { conversationId: string; lastSeq: number }[] }) | undefined;
      if (!res?.ok) throw new Error(res ? res.error.code : 'not connected');
      for (const c of res.conversations ?? []) s.seqs[c.conversationId] = Math.max(s.seqs[c.conversationId] ?? 0, c.lastSeq);
    } catch (err) {
      bump(errors, `catch-up:${err instanceof Error ? err.message : String(err)}`);
    }
  });
  return { errors };
}

/**
 * A reconnect storm: every session drops at once, reconnects, and syncs from
 * the seqs it had (what a node's death does to its clients; `catch-up` first
 * makes those the seqs of an up-to-date client).
 */
export async function storm(all: readonly Session[], connect: (session: Session) => Promise<void>, concurrency: number, syncLimit: number): Promise<StormResult> {
  for (const s of all) s.socket?.close();
  const connectHist = newHistogram();
  const syncHist = newHistogram();
  const errors: Record<string, number> = {};
  let connected = 0;
  let synced = 0;
  let syncFailed = 0;
  let lastConnect = 0;
  let lastSync = 0;
  const started = nowMs();
  await boundedAll(all, concurrency, async (s) => {
    try {
      await connect(s);
      connected++;
      lastConnect = nowMs() - started;
      recordMs(connectHist, lastConnect);
    } catch (err) {
      bump(errors, `connect:${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const socket = s.socket as Socket;
    // Not awaited by the lane: the next reconnect starts while this sync runs.
    void socket
      .timeout(60_000)
      .emitWithAck('sync', { since: s.seqs, limit: syncLimit })
      .then(
        (res: AckBody) => {
          if (res.ok) {
            synced++;
            lastSync = nowMs() - started;
            recordMs(syncHist, lastSync);
          } else {
            syncFailed++;
            bump(errors, `sync:${res.error.code}`);
          }
        },
        () => {
          syncFailed++;
          bump(errors, 'sync:timeout');
        },
      );
  });
  const deadline = nowMs() + 60_000;
  while (synced + syncFailed < connected && nowMs() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    sessions: all.length,
    connected,
    synced,
    errors,
    connect: encode(connectHist),
    sync: encode(syncHist),
    allConnectedMs: lastConnect,
    allSyncedMs: lastSync,
  };
}
