/** Messages between the benchmark's coordinator and its load-generator workers (IPC). */

export interface SessionSpec {
  /** Unique across the run; a user may hold several sessions. */
  key: string;
  userId: string;
  url: string;
  /** Socket.IO handshake `auth` (Parley: `{token}`; baseline: `{userId, groups}`). */
  auth: Record<string, unknown>;
}

export interface SenderSpec {
  key: string;
  to: { type: 'user' | 'group'; id: string };
}

export type WorkerRequest =
  | { op: 'open'; sessions: SessionSpec[]; concurrency: number }
  | { op: 'close'; keys?: string[] }
  | {
      op: 'send';
      stepId: string;
      senders: SenderSpec[];
      ratePerSec: number;
      /** Epoch ms of the first scheduled send. */
      startAt: number;
      durationMs: number;
      /** Longest wait for outstanding acks after the last send. */
      settleMs: number;
      /** Stop sending (and report saturation) when this many acks are outstanding. */
      maxOutstanding: number;
    }
  | { op: 'blast'; stepId: string; senders: SenderSpec[]; window: number; durationMs: number }
  | { op: 'record'; stepId: string; trackLast: boolean }
  | { op: 'collect'; stepId: string }
  | { op: 'catch-up'; concurrency: number }
  | { op: 'storm'; concurrency: number; syncLimit: number }
  | { op: 'count' };

export interface OpenResult {
  opened: number;
  failed: number;
  errors: Record<string, number>;
  elapsedMs: number;
  /** Handshake latency (connect() to `connect`). */
  handshake: string;
}

export interface SendResult {
  sent: number;
  acked: number;
  unacked: number;
  errors: Record<string, number>;
  saturated: boolean;
  /** Ack latency from the scheduled send time. */
  ack: string;
}

export interface BlastResult {
  acked: number;
  errors: Record<string, number>;
  elapsedMs: number;
  ack: string;
}

export interface CollectResult {
  /** Every message:new of the step received by any session (the sender's own echo included). */
  deliveries: number;
  /** Deliveries to sessions of users other than the sender. */
  remoteDeliveries: number;
  /** Send (scheduled) -> receive latency at the other users' sessions. */
  latency: string;
  /** clientMsgId -> [latest arrival latency in ms, deliveries], when tracked. */
  perMessage?: Record<string, [number, number]>;
  firstAt: number;
  lastAt: number;
  /** `server:resync` events received by this worker's sessions while recording (Parley only). */
  resyncNotices: number;
  /** Sessions of this worker that received at least one. */
  resyncSessions: number;
}

export interface StormResult {
  sessions: number;
  connected: number;
  synced: number;
  errors: Record<string, number>;
  /** From the storm's start to each `connect`. */
  connect: string;
  /** From the storm's start to each completed sync. */
  sync: string;
  allConnectedMs: number;
  allSyncedMs: number;
}

export type WorkerMessage = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
