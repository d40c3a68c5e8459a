import { setImmediate as nextTurn } from 'node:timers/promises';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '@parley/util';
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
  it('makes the trace visible to everything a send calls, across awaits and timers, and to nothing outside', async () => {
    const tracer = new MessageTracer({ nodeId: 'im-1', logger: recordingLogger([]), sampler: new TraceSampler(1) });
    const trace = tracer.begin();
    if (trace === undefined) throw new Error('sampled at 1');
    expect(isTraceId(trace.traceId)).toBe(true);
    const seen = await tracer.run(trace, async () => {
      await nextTurn();
      const inTimer = await new Promise((resolve) => setTimeout(() => resolve(tracer.current()), 1));
      const inNested = await Promise.resolve().then(async () => (await nextTurn(), tracer.current()));
      return [inTimer, inNested];
    });
    expect(seen).toEqual([trace, trace]);
    expect(tracer.current()).toBeUndefined();
  });

  it('keeps concurrent sends apart', async () => {
    const tracer = new MessageTracer({ nodeId: 'im-1', logger: recordingLogger([]), sampler: new TraceSampler(1) });
    const traces = Array.from({ length: 50 }, () => tracer.begin());
    const seen = await Promise.all(
      traces.map((trace, i) => {
        if (trace === undefined) throw new Error('sampled at 1');
        return tracer.run(trace, async () => {
          await new Promise((resolve) => setTimeout(resolve, 50 - i));
          return tracer.current()?.traceId;
        });
      }),
    );
    expect(seen).toEqual(traces.map((t) => t?.traceId));
    expect(new Set(seen).size).toBe(50);
  });

  it('logs the ack with the message, its conversation, the node and a duration', () => {
    const lines: Line[] = [];
    const tracer = new MessageTracer({ nodeId: 'im-1', logger: recordingLogger(lines), sampler: new TraceSampler(1) });
    const trace = tracer.begin();
    if (trace === undefined) throw new Error('sampled at 1');
    tracer.acked(trace, { ok: true, messageId: 'm1', conversationId: 'dm:a:b' });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toBe('message acked');
    expect(lines[0]?.obj).toMatchObject({ trace: 'ack', traceId: trace.traceId, messageId: 'm1', conversationId: 'dm:a:b', node: 'im-1', ok: true });
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
