/**
 * One load-generator process: holds client sockets, sends on a fixed
 * schedule (open loop) and records what arrives. Driven over IPC by the
 * coordinator (see protocol.ts).
 */
import { io } from 'socket.io-client';
import { sourceAddress } from './source-address';
import { encode, newHistogram, nowMs, recordMs, type Histogram } from './histogram';
import { boundedAll, bump, type AckBody, type Session } from './lanes';
import { catchUp, storm } from './reconnect';
import type {
  BlastResult,
  CollectResult,
  OpenResult,
  SenderSpec,
  SendResult,
  SessionSpec,
  WorkerMessage,
  WorkerRequest,
} from './protocol';

interface WireMessage {
  conversationId: string;
  seq: number;
  senderId: string;
  clientMsgId: string;
  body: { text: string };
}

interface Recording {
  deliveries: number;
  remoteDeliveries: number;
  latency: Histogram;
  perMessage?: Map<string, [number, number]>;
  firstAt: number;
  lastAt: number;
  /** `server:resync` notices received during the step, and the sessions that got at least one. */
  resyncNotices: number;
  resyncSessions: Set<string>;
}

const workerIndex = Number(process.env.BENCH_WORKER_INDEX ?? 0);
const sessions = new Map<string, Session>();
const recordings = new Map<string, Recording>();
const sourceAddresses = Number(process.env.BENCH_SOURCE_ADDRESSES ?? 40);
let addressCounter = workerIndex * 7919;

/** Spreads client sockets over the loopback source addresses (--source-addresses) so no one address runs out of ports. */
function nextLocalAddress(): string {
  addressCounter++;
  return sourceAddress(addressCounter % sourceAddresses);
}


function onMessage(session: Session, m: WireMessage): void {
  const at = nowMs();
  if ((session.seqs[m.conversationId] ?? 0) < m.seq) session.seqs[m.conversationId] = m.seq;
  const text = m.body.text;
  const bar = text.indexOf('|');
  if (bar < 0) return;
  const rec = recordings.get(text.slice(0, bar));
  if (!rec) return;
  rec.deliveries++;
  if (rec.firstAt === 0) rec.firstAt = at;
  rec.lastAt = at;
  if (m.senderId === session.spec.userId) return;
  const latency = at - Number(text.slice(bar + 1));
  rec.remoteDeliveries++;
  recordMs(rec.latency, latency);
  if (rec.perMessage) {
    const prior = rec.perMessage.get(m.clientMsgId);
    if (prior) {
      prior[0] = Math.max(prior[0], latency);
      prior[1]++;
    } else rec.perMessage.set(m.clientMsgId, [latency, 1]);
  }
}

/** A node telling a session it may have missed pushes (issue 16: a dropped frame must not be silent). */
function onResync(session: Session): void {
  for (const rec of recordings.values()) {
    rec.resyncNotices++;
    rec.resyncSessions.add(session.spec.key);
  }
}

function connect(session: Session, timeoutMs = 30_000): Promise<void> {
  const { spec } = session;
  const socket = io(spec.url, {
    auth: spec.auth,
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: timeoutMs,
    // Passed through engine.io-client to ws and net.connect (Node only).
    localAddress: nextLocalAddress(),
  } as Parameters<typeof io>[1]);
  session.socket = socket;
  socket.on('message:new', (m: WireMessage) => onMessage(session, m));
  socket.on('server:resync', () => onResync(session));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => {
      socket.close();
      session.socket = undefined;
      reject(err);
    });
  });
}


async function open(specs: SessionSpec[], concurrency: number): Promise<OpenResult> {
  const started = nowMs();
  const handshake = newHistogram();
  const errors: Record<string, number> = {};
  let opened = 0;
  await boundedAll(specs, concurrency, async (spec) => {
    const session: Session = sessions.get(spec.key) ?? { spec, seqs: {} };
    session.spec = spec;
    sessions.set(spec.key, session);
    const t0 = nowMs();
    try {
      await connect(session);
      recordMs(handshake, nowMs() - t0);
      opened++;
    } catch (err) {
      bump(errors, err instanceof Error ? err.message : String(err));
    }
  });
  return { opened, failed: specs.length - opened, errors, elapsedMs: nowMs() - started, handshake: encode(handshake) };
}

function close(keys?: string[]): { closed: number } {
  const targets = keys ?? [...sessions.keys()];
  let closed = 0;
  for (const key of targets) {
    const s = sessions.get(key);
    if (!s) continue;
    if (s.socket) {
      s.socket.close();
      closed++;
    }
    sessions.delete(key);
  }
  return { closed };
}

function emitSend(session: Session, to: SenderSpec['to'], clientMsgId: string, text: string, cb: (ack: AckBody) => void): void {
  const socket = session.socket;
  if (!socket?.connected) {
    cb({ ok: false, error: { code: 'DISCONNECTED' } });
    return;
  }
  socket.emit('message:send', { to, clientMsgId, kind: 'text', body: { text } }, cb);
}

/**
 * Sends of one run of a step: part of each clientMsgId, because a step id can
 * repeat (S6 runs the same S2 step on every fleet shape) and the server
 * answers a repeated clientMsgId with the stored message instead of a new one.
 */
let sendRuns = 0;

function send(req: Extract<WorkerRequest, { op: 'send' }>): Promise<SendResult> {
  const { stepId, senders, ratePerSec, startAt, durationMs, settleMs, maxOutstanding } = req;
  const run = (++sendRuns).toString(36);
  const ack = newHistogram();
  const errors: Record<string, number> = {};
  const total = Math.floor((durationMs * ratePerSec) / 1000);
  const interval = 1000 / ratePerSec;
  let n = 0;
  let acked = 0;
  let outstanding = 0;
  let saturated = false;
  return new Promise((resolve) => {
    const finish = () => {
      const deadline = nowMs() + settleMs;
      const wait = () => {
        if (outstanding === 0 || nowMs() > deadline) {
          resolve({ sent: n, acked, unacked: outstanding, errors, saturated, ack: encode(ack) });
        } else setTimeout(wait, 20);
      };
      wait();
    };
    const tick = () => {
      const now = nowMs();
      while (n < total && startAt + n * interval <= now) {
        if (outstanding >= maxOutstanding) {
          saturated = true;
          break;
        }
        const scheduled = startAt + n * interval;
        const sender = senders[n % senders.length];
        const session = sender && sessions.get(sender.key);
        outstanding++;
        const done = (res: AckBody) => {
          outstanding--;
          if (res.ok) {
            acked++;
            recordMs(ack, nowMs() - scheduled);
          } else bump(errors, res.error.code);
        };
        if (!sender || !session) done({ ok: false, error: { code: 'NO_SESSION' } });
        else emitSend(session, sender.to, `${stepId}.${run}.${workerIndex}.${n}`, `${stepId}|${scheduled.toFixed(3)}`, done);
        n++;
      }
      if (saturated || n >= total) finish();
      else setTimeout(tick, Math.max(0, Math.min(5, startAt + n * interval - nowMs())));
    };
    setTimeout(tick, Math.max(0, startAt - nowMs()));
  });
}

function blast(req: Extract<WorkerRequest, { op: 'blast' }>): Promise<BlastResult> {
  const { stepId, senders, window, durationMs } = req;
  const ack = newHistogram();
  const errors: Record<string, number> = {};
  const started = nowMs();
  const endAt = started + durationMs;
  let acked = 0;
  let n = 0;
  let lanesOpen = 0;
  return new Promise((resolve) => {
    const lane = (sender: SenderSpec) => {
      if (nowMs() >= endAt) {
        if (--lanesOpen === 0) resolve({ acked, errors, elapsedMs: nowMs() - started, ack: encode(ack) });
        return;
      }
      const session = sessions.get(sender.key);
      const sentAt = nowMs();
      const id = `${stepId}.${workerIndex}.${n++}`;
      const done = (res: AckBody) => {
        if (res.ok) {
          acked++;
          recordMs(ack, nowMs() - sentAt);
        } else bump(errors, res.error.code);
        // A failed send (e.g. a dropped session) must not spin: retry after a pause.
        if (res.ok) lane(sender);
        else setTimeout(() => lane(sender), 50);
      };
      if (!session) done({ ok: false, error: { code: 'NO_SESSION' } });
      else emitSend(session, sender.to, id, `${stepId}|${sentAt.toFixed(3)}`, done);
    };
    for (const sender of senders) {
      for (let i = 0; i < window; i++) {
        lanesOpen++;
        lane(sender);
      }
    }
    if (lanesOpen === 0) resolve({ acked, errors, elapsedMs: 0, ack: encode(ack) });
  });
}

function collect(stepId: string): CollectResult {
  const rec = recordings.get(stepId);
  recordings.delete(stepId);
  if (!rec) return { deliveries: 0, remoteDeliveries: 0, latency: encode(newHistogram()), firstAt: 0, lastAt: 0, resyncNotices: 0, resyncSessions: 0 };
  return {
    deliveries: rec.deliveries,
    remoteDeliveries: rec.remoteDeliveries,
    latency: encode(rec.latency),
    perMessage: rec.perMessage ? Object.fromEntries(rec.perMessage) : undefined,
    firstAt: rec.firstAt,
    lastAt: rec.lastAt,
    resyncNotices: rec.resyncNotices,
    resyncSessions: rec.resyncSessions.size,
  };
}

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case 'open':
      return open(req.sessions, req.concurrency);
    case 'close':
      return close(req.keys);
    case 'send':
      return send(req);
    case 'blast':
      return blast(req);
    case 'record':
      recordings.set(req.stepId, {
        deliveries: 0,
        remoteDeliveries: 0,
        latency: newHistogram(),
        perMessage: req.trackLast ? new Map() : undefined,
        firstAt: 0,
        lastAt: 0,
        resyncNotices: 0,
        resyncSessions: new Set(),
      });
      return {};
    case 'collect':
      return collect(req.stepId);
    case 'catch-up':
      return catchUp([...sessions.values()], req.concurrency);
    case 'storm':
      return storm([...sessions.values()], connect, req.concurrency, req.syncLimit);
    case 'count':
      return { sessions: sessions.size, connected: [...sessions.values()].filter((s) => s.socket?.connected).length };
  }
}

process.on('message', (raw: { id: number; req: WorkerRequest }) => {
  handle(raw.req).then(
    (result) => process.send?.({ id: raw.id, ok: true, result } satisfies WorkerMessage),
    (err: unknown) => process.send?.({ id: raw.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies WorkerMessage),
  );
});
process.on('disconnect', () => process.exit(0));
