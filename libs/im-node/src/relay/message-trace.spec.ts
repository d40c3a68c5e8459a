import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SessionService } from '@parley/domain';
import { MessageTracer, TraceSampler } from '@parley/observability';
import type { Message } from '@parley/protocol';
import { at } from '@parley/testing';
import type { Logger } from '@parley/util';
import type { CommandContext, CommandHandlers } from '../socket/commands/types';
import type { ImServer } from '../socket/socket-types';
import { traceSends } from '../socket/traced-send';
import { ClusterNotifier } from './cluster-notifier';
import { ControlIds } from './control-ids';
import { RelayInbound } from './inbound';
import { LocalRooms } from './local-rooms';
import { MembershipLog } from './membership-log';
import { RelayOutbox } from './outbox';
import type { BarrierOutcome, RelayedFrame, RelayLink, RelayPublish } from './relay-link';

type Line = Record<string, unknown> & { msg?: string };

function recordingLogger(lines: Line[]): Logger {
  const logger: Logger = {
    debug: () => undefined,
    info: (obj, msg) => void lines.push({ ...(obj as Record<string, unknown>), msg }),
    warn: () => undefined,
    error: () => undefined,
    child: () => logger,
  };
  return logger;
}

class FakeRelay extends EventEmitter implements RelayLink {
  readonly published: RelayPublish[] = [];
  publish(frame: RelayPublish): boolean {
    this.published.push(frame);
    return true;
  }
  async publishConfirmed(frame: RelayPublish): Promise<BarrierOutcome> {
    this.publish(frame);
    return 'confirmed';
  }
  handleDeliveries(): void {}
  setInterest(): void {}
  start(): void {}
  async announce(): Promise<void> {}
  async stop(): Promise<void> {}
}

/** Sockets by room as the Socket.IO adapter holds them; emits recorded. */
function fakeIo(rooms: Record<string, string[]>, emitted: string[]): ImServer {
  const adapterRooms = new Map(Object.entries(rooms).map(([room, ids]) => [room, new Set(ids)]));
  const target = (to: string[]) => ({ emit: (event: string) => void emitted.push(`${event} ${to.join(',')}`), except: () => target(to) });
  return { to: target, of: () => ({ adapter: { rooms: adapterRooms } }) } as unknown as ImServer;
}

const message: Message = {
  id: 'm1',
  conversationId: 'd:a:b',
  seq: 1,
  senderId: 'a',
  kind: 'text',
  body: { text: 'hi' },
  clientMsgId: 'c1',
  createdAt: 1,
};
const ctx: CommandContext = { userId: 'a', socketId: 'sa', authSessionId: 's', resyncRooms: async () => undefined, renewExpiry: () => undefined };
const sendInput = { to: { type: 'user' as const, id: 'b' }, clientMsgId: 'c1', kind: 'text' as const, body: { text: 'hi' } };

describe('following one message through a node', () => {
  function senderNode(ratio: number) {
    const lines: Line[] = [];
    const emitted: string[] = [];
    const logger = recordingLogger(lines);
    const tracer = new MessageTracer({ nodeId: 'im-1', logger, sampler: new TraceSampler(ratio) });
    const relay = new FakeRelay();
    const ids = new ControlIds('im-1');
    const local = new LocalRooms(fakeIo({ 'user:a': ['sa', 'sa2'], 'user:b': ['sb'] }, emitted), new MembershipLog());
    const notifier = new ClusterNotifier(local, new RelayOutbox(relay, logger, { now: () => Date.now() }, ids), ids, logger, undefined, tracer);
    // The domain service stands in: it awaits the store, then publishes; it knows nothing of traces.
    const handlers = {
      'message:send': async () => {
        await nextTurn();
        notifier.publish(['user:a', 'user:b'], 'message:new', message, message.id, { exceptSession: 'sa' });
        return { message };
      },
    } as unknown as CommandHandlers;
    return { lines, relay, notifier, send: traceSends(handlers, tracer)['message:send'] };
  }

  it('carries the trace from the send to the relay frame and logs the local push and the ack; the ack itself is unchanged', async () => {
    const { lines, relay, send } = senderNode(1);
    const ack = await send(ctx, sendInput);
    expect(ack).toEqual({ message });
    const frame = at(relay.published, 0, 'frame');
    expect(frame.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(frame.traceFlags).toBe(1);
    expect(lines.map((l) => [l['trace'], l['traceId'], l['messageId']])).toEqual([
      ['push', frame.traceId, 'm1'],
      ['ack', frame.traceId, 'm1'],
    ]);
    // Sender's other socket and the recipient's: the sending socket is excepted.
    expect(at(lines, 0, 'push')).toMatchObject({ sockets: 2, conversationId: 'd:a:b', local: true });
    expect(at(lines, 1, 'ack')).toMatchObject({ conversationId: 'd:a:b', ok: true, ms: expect.any(Number) });
  });

  it('each send gets its own trace id', async () => {
    const { relay, send } = senderNode(1);
    await Promise.all([send(ctx, sendInput), send(ctx, sendInput), send(ctx, sendInput)]);
    expect(new Set(relay.published.map((f) => f.traceId)).size).toBe(3);
  });

  it('at PARLEY_TRACE_SAMPLE=0 nothing is logged and the frame carries no trace', async () => {
    const { lines, relay, send } = senderNode(0);
    expect(await send(ctx, sendInput)).toEqual({ message });
    expect(lines).toEqual([]);
    expect(at(relay.published, 0, 'frame').traceId).toBeUndefined();
  });

  it('two interleaved sends on one node each carry their own trace, found by the message and not by the async context of the publish', async () => {
    // The store stands in as a queue flushed by one timer started before either send:
    // its publishes run outside both sends' async contexts (AsyncLocalStorage would see
    // no trace, or the wrong one); the notifier finds each by sender and clientMsgId.
    const lines: Line[] = [];
    const logger = recordingLogger(lines);
    const tracer = new MessageTracer({ nodeId: 'im-1', logger, sampler: new TraceSampler(1) });
    const relay = new FakeRelay();
    const ids = new ControlIds('im-1');
    const local = new LocalRooms(fakeIo({ 'user:a': ['sa'], 'user:b': ['sb'] }, []), new MembershipLog());
    const notifier = new ClusterNotifier(local, new RelayOutbox(relay, logger, { now: () => Date.now() }, ids), ids, logger, undefined, tracer);
    const queued: { message: Message; done: () => void }[] = [];
    let flush: () => void = () => undefined;
    const flushed = new Promise<void>((resolve) => (flush = resolve));
    void flushed.then(() => {
      // Published in the reverse order of the sends.
      for (const { message: m, done } of queued.reverse()) {
        notifier.publish(['user:a', 'user:b'], 'message:new', m, m.id, { exceptSession: 'sa' });
        done();
      }
    });
    const handlers = {
      'message:send': (c: CommandContext, p: typeof sendInput) =>
        new Promise((resolve) => {
          const m = { ...message, id: `m-${p.clientMsgId}`, senderId: c.userId, clientMsgId: p.clientMsgId };
          queued.push({ message: m, done: () => resolve({ message: m }) });
          if (queued.length === 2) flush();
        }),
    } as unknown as CommandHandlers;
    const send = traceSends(handlers, tracer)['message:send'];
    await Promise.all([send(ctx, { ...sendInput, clientMsgId: 'first' }), send({ ...ctx, userId: 'b' }, { ...sendInput, clientMsgId: 'second' })]);

    const ackTrace = (messageId: string) => lines.find((l) => l['trace'] === 'ack' && l['messageId'] === messageId)?.['traceId'];
    const frameTrace = (messageId: string) => relay.published.find((f) => f.messageId === messageId)?.traceId;
    expect(ackTrace('m-first')).toMatch(/^[0-9a-f]{32}$/);
    expect(ackTrace('m-second')).toMatch(/^[0-9a-f]{32}$/);
    expect(ackTrace('m-first')).not.toBe(ackTrace('m-second'));
    expect(frameTrace('m-first')).toBe(ackTrace('m-first'));
    expect(frameTrace('m-second')).toBe(ackTrace('m-second'));
    expect(tracer.sendsInFlight).toBe(0);
  });

  it('a message:new with no followed send in flight (a retry pushed after the ack, another event) carries no trace', async () => {
    const { relay, send, notifier } = senderNode(1);
    await send(ctx, sendInput);
    notifier.publish(['user:a', 'user:b'], 'message:new', message, message.id);
    notifier.publish(['user:a', 'user:b'], 'typing', { conversationId: 'd:a:b', userId: 'a' });
    expect(relay.published.map((f) => f.traceId !== undefined)).toEqual([true, false, false]);
  });

  it('a refused send is logged with its code and the error still reaches the client', async () => {
    const lines: Line[] = [];
    const tracer = new MessageTracer({ nodeId: 'im-1', logger: recordingLogger(lines), sampler: new TraceSampler(1) });
    const failing = { 'message:send': async () => Promise.reject(Object.assign(new Error('no'), { code: 'FORBIDDEN' })) } as unknown as CommandHandlers;
    await expect(traceSends(failing, tracer)['message:send'](ctx, sendInput)).rejects.toThrow('no');
    expect(at(lines, 0, 'ack')).toMatchObject({ trace: 'ack', ok: false });
  });
});

describe('following one message into a receiving node', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const payload = Buffer.from(JSON.stringify(message));
  const relayed = (trace: Partial<RelayedFrame>): RelayedFrame => ({
    rooms: ['user:b'],
    event: 'message:new',
    payload,
    messageId: 'm1',
    originNode: 'im-1',
    gatewayId: 'g1',
    ...trace,
  });

  function receiverNode(ratio = 1) {
    const lines: Line[] = [];
    const emitted: string[] = [];
    const logger = recordingLogger(lines);
    const tracer = new MessageTracer({ nodeId: 'im-2', logger, sampler: new TraceSampler(ratio) });
    const local = new LocalRooms(fakeIo({ 'user:b': ['sb1', 'sb2', 'sb3'] }, emitted), new MembershipLog());
    const sessions = { confirmMembers: async () => [] } as unknown as SessionService;
    const resync = { rooms: () => undefined, all: () => undefined };
    const inbound = new RelayInbound(local, sessions, { setInterest: () => undefined }, logger, { end: () => 0 }, resync, tracer);
    return { lines, emitted, inbound };
  }

  it('logs the push of a traced frame with the sockets reached', () => {
    const { lines, emitted, inbound } = receiverNode();
    inbound.receive(relayed({ traceId, traceFlags: 1, spanId: '00f067aa0ba902b7' }));
    expect(emitted).toEqual(['message:new user:b']);
    expect(lines).toEqual([
      expect.objectContaining({ trace: 'push', traceId, messageId: 'm1', conversationId: 'd:a:b', sockets: 3, origin: 'im-1', gateway: 'g1' }),
    ]);
  });

  it.each([
    ['garbage', 'not-a-trace-id', 1],
    ['a log injection', `${traceId.slice(0, 16)}\u001b[31m\n`, 1],
    ['unsampled', traceId, 0],
  ])('a %s trace id is ignored: the message is pushed, nothing logged', (_name, id, flags) => {
    const { lines, emitted, inbound } = receiverNode();
    inbound.receive(relayed({ traceId: id, traceFlags: flags }));
    expect(emitted).toEqual(['message:new user:b']);
    expect(lines).toEqual([]);
  });

  it('at PARLEY_TRACE_SAMPLE=0 a traced frame is pushed without a line', () => {
    const { lines, emitted, inbound } = receiverNode(0);
    inbound.receive(relayed({ traceId, traceFlags: 1 }));
    expect(emitted).toHaveLength(1);
    expect(lines).toEqual([]);
  });
});
