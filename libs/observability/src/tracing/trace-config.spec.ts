import { traceEnv, tracesUrlOf, tracingOf } from './trace-config';

describe('trace configuration', () => {
  it('follows every message by default and exports nothing', () => {
    const env = traceEnv.parse({});
    expect(env.PARLEY_TRACE_SAMPLE).toBe(1);
    expect(tracingOf(env, 'parley-im', 'im-1').otel).toBeUndefined();
  });

  it('refuses a sample ratio outside 0..1 and an endpoint that is not a URL', () => {
    expect(traceEnv.safeParse({ PARLEY_TRACE_SAMPLE: '2' }).success).toBe(false);
    expect(traceEnv.safeParse({ PARLEY_TRACE_SAMPLE: '-1' }).success).toBe(false);
    expect(traceEnv.safeParse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }).success).toBe(false);
  });

  it('derives the traces URL as the OpenTelemetry spec says: base + /v1/traces, the traces variable as is and first', () => {
    expect(tracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318' })).toBe('http://otel:4318/v1/traces');
    expect(tracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318/' })).toBe('http://otel:4318/v1/traces');
    expect(tracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:1/x' })).toBe('http://t:1/x');
    expect(tracesUrlOf({})).toBeUndefined();
  });

  it('exports spans only with an endpoint and a ratio above 0', async () => {
    const on = tracingOf(traceEnv.parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }), 'parley-im', 'im-1');
    expect(on.otel).toBeDefined();
    await on.otel?.shutdown();
    expect(tracingOf(traceEnv.parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', PARLEY_TRACE_SAMPLE: '0' }), 'parley-im', 'im-1').otel).toBeUndefined();
  });
});
