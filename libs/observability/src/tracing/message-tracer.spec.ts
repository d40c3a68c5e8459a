import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { must, type Logger } from '@parley/util';
import { MessageTracer } from './message-tracer';
import { OtelTracing } from './otel-tracing';
import { GatewayRouteTracer } from './route-tracer';
import { isSpanId, isTraceId } from './trace-ids';
import { TraceSampler } from './trace-sampler';

interface Line {
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/** Keeps info lines; the tracer logs nothing else. */
function recordingLogger(lines: Line[]): Logger {
  const logger: Logger = {
    debug: () => undefined,
    info: (obj, msg) => void lines.push({ obj: obj as Record<string, unknown>, msg }),
    warn: () => undefined,
    error: () => undefined,
    child: () => logger,
  };
  return logger;
}

describe('MessageTracer', () => {
  it('finds a send in flight by its sender and clientMsgId until it is sent, and nothing for another sender or message', () => {
    const tracer = new MessageTracer({ nodeId: 'im-1', logger: recordingLogger([]), sampler: new TraceSampler(1) });
    const trace = tracer.begin();
    if (trace === undefined) throw new Error('sampled at 1');
    expect(isTraceId(trace.traceId)).toBe(true);
    tracer.sending('alice', 'c1', trace);
    expect(tracer.traceOf('bob', 'c1')).toBeUndefined();
    expect(tracer.traceOf('alice', 'c2')).toBeUndefined();
    expect(tracer.traceOf('alice', 'c1')).toBe(trace);
    tracer.sent('alice', 'c1', trace);
    expect(tracer.traceOf('alice', 'c1')).toBeUndefined();
    expect(tracer.sendsInFlight).toBe(0);
  });

  it('keeps concurrent sends apart, and leaves nothing behind once they are sent', () => {
    const tracer = new MessageTracer({ nodeId: 'im-1', logger: recordingLogger([]), sampler: new TraceSampler(1) });
    const traces = Array.from({ length: 50 }, (_, i) => {
      const trace = tracer.begin();
      if (trace === undefined) throw new Error('sampled at 1');
      tracer.sending(`u${i % 5}`, `c${i}`, trace);
      return trace;
    });
    // Published in reverse order: each finds its own.
    const seen = traces.map((_, i) => 49 - i).map((i) => tracer.traceOf(`u${i % 5}`, `c${i}`)?.traceId);
    expect(seen).toEqual(traces.map((t) => t.traceId).reverse());
    expect(new Set(seen).size).toBe(50);
    traces.forEach((trace, i) => tracer.sent(`u${i % 5}`, `c${i}`, trace));
    expect(tracer.sendsInFlight).toBe(0);
  });

  it('a thousand sends of one clientMsgId at once: each publish takes a different trace, none is taken twice, none is left', () => {
    const tracer = new MessageTracer({ nodeId: 'im-1', logger: recordingLogger([]), sampler: new TraceSampler(1) });
    const traces = Array.from({ length: 1_000 }, () => {
      const trace = tracer.begin();
      if (trace === undefined) throw new Error('sampled at 1');
      tracer.sending('alice', 'same', trace);
      return trace;
    });
    const taken = traces.map(() => tracer.traceOf('alice', 'same')?.traceId);
    expect(new Set(taken).size).toBe(1_000);
    expect(tracer.traceOf('alice', 'same')).toBeUndefined();
    for (const trace of traces) tracer.sent('alice', 'same', trace);
    tracer.sent('alice', 'same', must(traces[0], 'first trace')); // twice: harmless
    expect(tracer.sendsInFlight).toBe(0);
  });

  it('logs the ack with the message, its conversation and a duration (the node is named once, by the node logger\'s nodeId)', () => {
    const lines: Line[] = [];
    const tracer = new MessageTracer({ nodeId: 'im-1', logger: recordingLogger(lines), sampler: new TraceSampler(1) });
    const trace = tracer.begin();
    if (trace === undefined) throw new Error('sampled at 1');
    tracer.acked(trace, { ok: true, messageId: 'm1', conversationId: 'dm:a:b' });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toBe('message acked');
    expect(lines[0]?.obj).toMatchObject({ trace: 'ack', traceId: trace.traceId, messageId: 'm1', conversationId: 'dm:a:b', ok: true });
    // The line goes through the node's logger, whose nodeId names the node: a `node` field beside it would repeat it.
    expect(lines[0]?.obj).not.toHaveProperty('node');
    tracer.pushedLocally(trace, 'message:new', 'm1', 'dm:a:b', 2);
    tracer.pushedRelayed({ traceId: trace.traceId, spanId: '' }, { event: 'message:new', messageId: 'm1', conversationId: 'dm:a:b', sockets: 1, originNode: 'im-2', gatewayId: 'g1' });
    expect(lines.map((l) => 'node' in l.obj)).toEqual([false, false, false]);
    expect(lines[0]?.obj['ms']).toEqual(expect.any(Number));
  });

  it('at ratio 0 follows nothing: no trace made, relayed pushes not logged', () => {
    const lines: Line[] = [];
    const tracer = new MessageTracer({ nodeId: 'im-1', logger: recordingLogger(lines), sampler: new TraceSampler(0) });
    expect(tracer.begin()).toBeUndefined();
    expect(tracer.followsRelayed).toBe(false);
    tracer.pushedRelayed({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '' }, { event: 'message:new', messageId: 'm', conversationId: undefined, sockets: 1, originNode: 'im-2', gatewayId: 'g' });
    expect(lines).toHaveLength(0);
  });
});

describe('spans across three processes (in-memory exporters)', () => {
  it('message.send → relay.route → message.push share the trace id and are parented hop by hop', async () => {
    const exporters = [new InMemorySpanExporter(), new InMemorySpanExporter(), new InMemorySpanExporter()];
    const [senderOtel, gatewayOtel, receiverOtel] = exporters.map(
      (exporter, i) => new OtelTracing({ url: 'http://unused', serviceName: 'test', instanceId: `p${i}`, exporter }),
    ) as [OtelTracing, OtelTracing, OtelTracing];
    const logger = recordingLogger([]);
    const sender = new MessageTracer({ nodeId: 'im-1', logger, sampler: new TraceSampler(1), otel: senderOtel });
    const gateway = new GatewayRouteTracer({ gatewayId: 'g1', logger, follow: true, otel: gatewayOtel });
    const receiver = new MessageTracer({ nodeId: 'im-2', logger, sampler: new TraceSampler(1), otel: receiverOtel });

    const send = sender.begin();
    if (send === undefined) throw new Error('sampled at 1');
    expect(isSpanId(send.spanId)).toBe(true);
    const route = gateway.begin({ traceId: send.traceId, spanId: send.spanId }, 'm1', 'im-1', 'message:new');
    if (route === undefined) throw new Error('followed');
    receiver.pushedRelayed({ traceId: send.traceId, spanId: route.spanId }, { event: 'message:new', messageId: 'm1', conversationId: 'c', sockets: 2, originNode: 'im-1', gatewayId: 'g1' });
    route.routed(['im-2']);
    sender.acked(send, { ok: true, messageId: 'm1', conversationId: 'c' });
    await Promise.all([senderOtel.flush(), gatewayOtel.flush(), receiverOtel.flush()]);

    const [sendSpan, routeSpan, pushSpan] = exporters.map((e) => e.getFinishedSpans()[0]);
    expect(sendSpan?.name).toBe('message.send');
    expect(routeSpan?.name).toBe('relay.route');
    expect(pushSpan?.name).toBe('message.push');
    for (const span of [sendSpan, routeSpan, pushSpan]) expect(span?.spanContext().traceId).toBe(send.traceId);
    expect(sendSpan?.parentSpanContext).toBeUndefined();
    expect(routeSpan?.parentSpanContext?.spanId).toBe(sendSpan?.spanContext().spanId);
    expect(pushSpan?.parentSpanContext?.spanId).toBe(routeSpan?.spanContext().spanId);
    await Promise.all([senderOtel.shutdown(), gatewayOtel.shutdown(), receiverOtel.shutdown()]);
  });
});

describe('GatewayRouteTracer', () => {
  it('logs the route once routed, with a node\'s message id and event bounded', () => {
    const lines: Line[] = [];
    const tracer = new GatewayRouteTracer({ gatewayId: 'g1', logger: recordingLogger(lines), follow: true });
    const route = tracer.begin({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' }, 'm'.repeat(10_000), 'im-1', 'e'.repeat(500));
    expect(route?.spanId).toBe('00f067aa0ba902b7');
    expect(lines).toHaveLength(0);
    route?.routed(['im-2', 'im-3', 'im-4']);
    expect(lines[0]?.obj).toMatchObject({ trace: 'route', gateway: 'g1', origin: 'im-1', targets: 3, nodes: ['im-2', 'im-3', 'im-4'], messageId: 'm'.repeat(128), event: 'e'.repeat(128) });
  });

  it('follows nothing at PARLEY_TRACE_SAMPLE=0', () => {
    const tracer = new GatewayRouteTracer({ gatewayId: 'g1', logger: recordingLogger([]), follow: false });
    expect(tracer.begin({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '' }, 'm', 'im-1', 'message:new')).toBeUndefined();
  });
});
