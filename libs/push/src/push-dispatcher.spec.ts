import type { PushEngine, PushOutcome, PushRequest } from '@parley/domain';
import type { Logger } from '@parley/util';
import { PushDispatcher, type PushOutcomeLabel } from './push-dispatcher';
import { ManualTimers } from './testing/manual-timers';

/** An engine whose answers a test scripts; each send waits until released when `hold` is on. */
class ScriptedEngine implements PushEngine {
  readonly name = 'scripted';
  readonly sent: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  hold = false;
  closed = false;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly answer: (request: PushRequest, attempt: number) => PushOutcome) {}

  async send(request: PushRequest): Promise<PushOutcome> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    if (this.hold) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else await settle();
    this.inFlight--;
    this.sent.push(request.payload);
    return this.answer(request, this.sent.filter((p) => p === request.payload).length);
  }

  close(): void {
    this.closed = true;
  }

  releaseAll(): void {
    this.hold = false;
    for (const release of this.waiting.splice(0)) release();
  }
}

function request(n: number, endpoint = `https://push.example.com/wpush/v2/secret-token-${n}`): PushRequest {
  return { destination: { endpoint, p256dh: 'p', auth: 'a' }, payload: `payload-${n}`, ttlSec: 60, urgency: 'normal' };
}

function recordingLogger(): Logger & { lines: Array<{ obj: object; msg?: string | undefined }> } {
  const lines: Array<{ obj: object; msg?: string | undefined }> = [];
  const log = (obj: object, msg?: string): void => void lines.push({ obj, msg });
  const logger = { lines, debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('PushDispatcher', () => {
  it('sends every push once with at most `concurrency` in flight', async () => {
    const engine = new ScriptedEngine(() => ({ kind: 'sent' }));
    const outcomes: PushOutcomeLabel[] = [];
    const dispatcher = new PushDispatcher({ engine, concurrency: 4, onOutcome: (o) => outcomes.push(o) });
    dispatcher.push(Array.from({ length: 50 }, (_, i) => request(i)));
    await dispatcher.flush();
    expect(engine.sent.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `payload-${i}`).sort());
    expect(engine.maxInFlight).toBe(4);
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(50);
  });

  it('push() returns before anything is sent', () => {
    const engine = new ScriptedEngine(() => ({ kind: 'sent' }));
    engine.hold = true;
    const dispatcher = new PushDispatcher({ engine });
    dispatcher.push([request(1)]);
    expect(engine.sent).toEqual([]);
    engine.releaseAll();
    return dispatcher.flush();
  });

  it('retries with backoff 1 s, 2 s, 4 s, 8 s and drops after 5 attempts', async () => {
    const timers = new ManualTimers();
    const engine = new ScriptedEngine(() => ({ kind: 'retry', reason: 'HTTP 503' }));
    const outcomes: PushOutcomeLabel[] = [];
    const dispatcher = new PushDispatcher({ engine, timers, onOutcome: (o) => outcomes.push(o) });
    dispatcher.push([request(1)]);
    let flushed = false;
    void dispatcher.flush().then(() => (flushed = true));
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await settle();
      delays.push(...timers.fireAll());
    }
    await settle();
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(engine.sent).toHaveLength(5);
    expect(outcomes).toEqual(['retry', 'retry', 'retry', 'retry', 'dropped']);
    expect(timers.pending).toHaveLength(0);
    expect(flushed).toBe(true);
  });

  it('waits as long as Retry-After says, at most 60 s', async () => {
    const timers = new ManualTimers();
    const engine = new ScriptedEngine((r, attempt) =>
      attempt === 1 ? { kind: 'retry', reason: 'HTTP 429', retryAfterMs: r.payload === 'payload-1' ? 7_000 : 3_600_000 } : { kind: 'sent' },
    );
    const dispatcher = new PushDispatcher({ engine, timers });
    dispatcher.push([request(1), request(2)]);
    await settle();
    expect(timers.pending.map((t) => t.ms).sort((a, b) => a - b)).toEqual([7_000, 60_000]);
    timers.fireAll();
    await dispatcher.flush();
    expect(engine.sent.sort()).toEqual(['payload-1', 'payload-1', 'payload-2', 'payload-2']);
  });

  it('reports a gone destination to onGone once, and survives onGone failing', async () => {
    const logger = recordingLogger();
    const gone: string[] = [];
    const engine = new ScriptedEngine(() => ({ kind: 'gone' }));
    const dispatcher = new PushDispatcher({
      engine,
      logger,
      onGone: (endpoint) => {
        gone.push(endpoint);
        if (gone.length === 2) throw new Error('store down');
      },
    });
    dispatcher.push([request(1), request(2)]);
    await dispatcher.flush();
    expect(gone).toEqual([request(1).destination.endpoint, request(2).destination.endpoint]);
    expect(logger.lines.some((line) => line.msg === 'removing a gone push subscription failed')).toBe(true);
  });

  it('drops a refused push, logging the origin but never the endpoint path or the payload', async () => {
    const logger = recordingLogger();
    const outcomes: PushOutcomeLabel[] = [];
    const engine = new ScriptedEngine(() => ({ kind: 'failed', reason: 'HTTP 403' }));
    const dispatcher = new PushDispatcher({ engine, logger, onOutcome: (o) => outcomes.push(o) });
    dispatcher.push([request(7)]);
    await dispatcher.flush();
    expect(engine.sent).toHaveLength(1);
    expect(outcomes).toEqual(['failed']);
    const logged = JSON.stringify(logger.lines);
    expect(logged).toContain('https://push.example.com');
    expect(logged).not.toContain('secret-token');
    expect(logged).not.toContain('payload-7');
  });

  it('keeps at most maxQueued pushes waiting, dropping the oldest', async () => {
    const outcomes: PushOutcomeLabel[] = [];
    const engine = new ScriptedEngine(() => ({ kind: 'sent' }));
    engine.hold = true;
    const dispatcher = new PushDispatcher({ engine, concurrency: 1, maxQueued: 3, onOutcome: (o) => outcomes.push(o) });
    dispatcher.push([request(1)]);
    dispatcher.push([2, 3, 4, 5, 6].map((n) => request(n)));
    expect(dispatcher.queued).toBe(3);
    engine.releaseAll();
    await dispatcher.flush();
    expect(engine.sent).toEqual(['payload-1', 'payload-4', 'payload-5', 'payload-6']);
    expect(outcomes.filter((o) => o === 'dropped')).toHaveLength(2);
  });

  it('close() drops pending retries and queued pushes, waits for those in flight, and refuses new ones', async () => {
    const timers = new ManualTimers();
    const outcomes: PushOutcomeLabel[] = [];
    const engine = new ScriptedEngine((r) => (r.payload === 'payload-1' ? { kind: 'retry', reason: 'HTTP 500' } : { kind: 'sent' }));
    const dispatcher = new PushDispatcher({ engine, timers, concurrency: 1, onOutcome: (o) => outcomes.push(o) });
    dispatcher.push([request(1)]);
    await settle();
    expect(timers.pending).toHaveLength(1);
    engine.hold = true;
    dispatcher.push([request(2), request(3)]);
    const closing = dispatcher.close();
    engine.releaseAll();
    await closing;
    expect(timers.pending).toHaveLength(0);
    expect(engine.sent).toEqual(['payload-1', 'payload-2']);
    dispatcher.push([request(4)]);
    await dispatcher.flush();
    expect(engine.sent).toEqual(['payload-1', 'payload-2']);
    expect(outcomes).toEqual(['retry', 'dropped', 'dropped', 'sent', 'dropped']);
    expect(engine.closed).toBe(true);
  });

  it('treats an engine that throws as a retry', async () => {
    const timers = new ManualTimers();
    let calls = 0;
    const engine: PushEngine = {
      name: 'throwing',
      send: () => {
        calls++;
        return calls === 1 ? Promise.reject(new Error('bug')) : Promise.resolve({ kind: 'sent' });
      },
    };
    const dispatcher = new PushDispatcher({ engine, timers });
    dispatcher.push([request(1)]);
    await settle();
    expect(timers.fireAll()).toEqual([1_000]);
    await dispatcher.flush();
    expect(calls).toBe(2);
  });
});
