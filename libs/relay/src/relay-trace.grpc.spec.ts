import type { FrameTrace } from '@parley/observability';
import type { RoomName } from '@parley/protocol';
import { RelayServer } from './relay-server.grpc';
import type { RouteTrace, RouteTracer } from './relay-server.types';
import { auth, json, TestNode, waitUntil } from './testing/relay-test-kit';

/** Records what the gateway reported; its route span id is fixed so the Deliver's can be checked. */
class RecordingRouteTracer implements RouteTracer {
  readonly begun: { trace: FrameTrace; messageId: string; originNode: string; event: string }[] = [];
  readonly routed: (readonly string[])[] = [];

  begin(trace: FrameTrace, messageId: string, originNode: string, event: string): RouteTrace {
    this.begun.push({ trace, messageId, originNode, event });
    return { spanId: 'a1a2a3a4a5a6a7a8', routed: (nodeIds) => void this.routed.push(nodeIds) };
  }
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

describe('relay trace fields', () => {
  let server: RelayServer;
  let tracer: RecordingRouteTracer;
  const nodes: TestNode[] = [];

  async function cluster(): Promise<{ a: TestNode; b: TestNode }> {
    server = new RelayServer({ gatewayId: 'g1', auth, host: '127.0.0.1', port: 0, shutdownGraceMs: 200 });
    tracer = new RecordingRouteTracer();
    server.traceRoutes(tracer);
    const { port } = await server.start();
    const address = `127.0.0.1:${port}`;
    const a = new TestNode('A', [address], ['user:a' as RoomName]);
    const b = new TestNode('B', [address], ['user:b' as RoomName]);
    nodes.push(a, b);
    a.client.start();
    b.client.start();
    await Promise.all([a.ready(), b.ready()]);
    await waitUntil(server, 'interest', () => server.interestOf('B').has('user:b'));
    return { a, b };
  }

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.client.stop()));
    await server.stop();
  });

  it('the gateway copies a sampled trace id to each Deliver, with its own route span as the parent, and reports the route', async () => {
    const { a, b } = await cluster();
    a.client.publish({ rooms: ['user:b'], event: 'message:new', payload: json({ n: 1 }), messageId: 'm1', traceId: TRACE_ID, traceFlags: 1, spanId: SPAN_ID });
    const got = await b.waitFor('m1');
    expect(got.traceId).toBe(TRACE_ID);
    expect(got.traceFlags).toBe(1);
    expect(got.spanId).toBe('a1a2a3a4a5a6a7a8');
    expect(tracer.begun).toEqual([{ trace: { traceId: TRACE_ID, spanId: SPAN_ID }, messageId: 'm1', originNode: 'A', event: 'message:new' }]);
    expect(tracer.routed).toEqual([['B']]);
  });

  it('a frame without a trace is routed untraced: empty fields, nothing reported', async () => {
    const { a, b } = await cluster();
    a.client.publish({ rooms: ['user:b'], event: 'message:new', payload: json({ n: 1 }), messageId: 'm2' });
    const got = await b.waitFor('m2');
    expect([got.traceId, got.traceFlags, got.spanId]).toEqual(['', 0, '']);
    expect(tracer.begun).toHaveLength(0);
  });

  it.each([
    ['uppercase hex', TRACE_ID.toUpperCase(), 1],
    ['all zeros', '0'.repeat(32), 1],
    ['too long', `${TRACE_ID}00`, 1],
    ['a log injection', `${TRACE_ID.slice(0, 20)}\n{"level":50}`, 1],
    ['not sampled', TRACE_ID, 0],
  ])('a forged trace id (%s) from a node is dropped by the gateway, the message still routed', async (_name, traceId, traceFlags) => {
    const { a, b } = await cluster();
    a.client.publish({ rooms: ['user:b'], event: 'message:new', payload: json({ n: 1 }), messageId: 'm3', traceId, traceFlags, spanId: SPAN_ID });
    const got = await b.waitFor('m3');
    expect([got.traceId, got.traceFlags, got.spanId]).toEqual(['', 0, '']);
    expect(tracer.begun).toHaveLength(0);
  });

  it('a garbage span id is not passed on (the trace id still is), and unknown flag bits are cleared', async () => {
    const { a, b } = await cluster();
    a.client.publish({ rooms: ['user:b'], event: 'message:new', payload: json({ n: 1 }), messageId: 'm4', traceId: TRACE_ID, traceFlags: 0xff, spanId: 'zz<script>' });
    const got = await b.waitFor('m4');
    expect(got.traceId).toBe(TRACE_ID);
    expect(got.traceFlags).toBe(1);
    expect(tracer.begun[0]?.trace).toEqual({ traceId: TRACE_ID, spanId: '' });
  });

  it('a thousand forged trace ids at once: every message routed, none traced', async () => {
    const { a, b } = await cluster();
    for (let i = 0; i < 1000; i++) {
      a.client.publish({ rooms: ['user:b'], event: 'message:new', payload: json({ i }), messageId: `f${i}`, traceId: `${i}`.padStart(32, 'g'), traceFlags: 1, spanId: SPAN_ID });
    }
    await b.waitFor('f999');
    expect(b.received.filter((d) => d.messageId.startsWith('f'))).toHaveLength(1000);
    expect(b.received.every((d) => d.traceId === '')).toBe(true);
    expect(tracer.begun).toHaveLength(0);
  });
});
