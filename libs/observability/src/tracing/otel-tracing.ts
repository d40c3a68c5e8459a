import { ROOT_CONTEXT, SpanKind, TraceFlags, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface OtelTracingOptions {
  /** Where spans are POSTed (OTLP/HTTP, JSON): the full traces URL, see tracesUrlOf. */
  url: string;
  /** `service.name`: parley-gateway, parley-im. */
  serviceName: string;
  /** `service.instance.id`: the gateway or node id. */
  instanceId: string;
  /** Longest a finished span waits before its batch is sent. @default 1_000 */
  flushEveryMs?: number;
  /** Replaces the OTLP exporter (tests). */
  exporter?: SpanExporter;
}

/**
 * One process role's OpenTelemetry spans: its own TracerProvider with a
 * batch processor and an OTLP/HTTP exporter. Never registered as the global
 * provider, so the gateway and the nodes of one embedded process each keep
 * their own resource; callers get it passed down.
 */
export class OtelTracing {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;

  constructor(options: OtelTracingOptions) {
    const exporter = options.exporter ?? new OTLPTraceExporter({ url: options.url });
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': options.serviceName, 'service.instance.id': options.instanceId }),
      spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: options.flushEveryMs ?? 1_000 })],
    });
    this.tracer = this.provider.getTracer('parley');
  }

  /** A span that starts a trace: its trace id is the message's. */
  startRoot(name: string, attributes: Attributes): Span {
    return this.tracer.startSpan(name, { root: true, kind: SpanKind.SERVER, attributes });
  }

  /**
   * A span in a trace another process started: child of its span `parentSpanId`
   * (validated by the caller), sampled because the frame said so.
   */
  startChild(name: string, traceId: string, parentSpanId: string, kind: SpanKind, attributes: Attributes): Span {
    const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    return this.tracer.startSpan(name, { kind, attributes }, parent);
  }

  /** Sends what is buffered now (tests, shutdown). */
  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}
