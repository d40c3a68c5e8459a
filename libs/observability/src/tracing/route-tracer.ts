import { SpanKind, type Span } from '@opentelemetry/api';
import type { Logger } from '@parley/util';
import type { OtelTracing } from './otel-tracing';
import type { FrameTrace } from './trace-ids';

/** Longest message id or event name a route line repeats from a frame. */
const MAX_LOGGED_CHARS = 128;

/** One traced publish being routed by a gateway. */
export class TracedRoute {
  constructor(
    private readonly tracer: GatewayRouteTracer,
    readonly trace: FrameTrace,
    readonly messageId: string,
    readonly originNode: string,
    readonly event: string,
    private readonly span: Span | undefined,
    /** The span id the Delivers carry: this route's span, else the origin's. */
    readonly spanId: string,
  ) {}

  /** Written toward these nodes: the route line, and the span ends. */
  routed(nodeIds: readonly string[]): void {
    this.tracer.log(this, nodeIds);
    if (this.span === undefined) return;
    this.span.setAttribute('parley.targets', nodeIds.length);
    this.span.end();
  }
}

export interface GatewayRouteTracerOptions {
  gatewayId: string;
  logger: Logger;
  /** False (PARLEY_TRACE_SAMPLE=0): routes are neither logged nor spanned here; the ids still travel on. */
  follow: boolean;
  otel?: OtelTracing;
}

/** Follows traced publishes through a gateway's relay: one route line and one `relay.route` span per message. */
export class GatewayRouteTracer {
  constructor(private readonly options: GatewayRouteTracerOptions) {}

  /** Called with the frame's trace already validated (frameTraceOf); undefined when this gateway does not follow. */
  begin(trace: FrameTrace, frameMessageId: string, originNode: string, frameEvent: string): TracedRoute | undefined {
    if (!this.options.follow) return undefined;
    // A node's words, bounded before they reach a log line or a span (pino escapes them; length is ours to cap).
    const messageId = frameMessageId.slice(0, MAX_LOGGED_CHARS);
    const event = frameEvent.slice(0, MAX_LOGGED_CHARS);
    const otel = this.options.otel;
    const span =
      otel !== undefined && trace.spanId !== ''
        ? otel.startChild('relay.route', trace.traceId, trace.spanId, SpanKind.INTERNAL, {
            'parley.gateway': this.options.gatewayId,
            'parley.origin_node': originNode,
            'parley.message_id': messageId,
            'parley.event': event,
          })
        : undefined;
    return new TracedRoute(this, trace, messageId, originNode, event, span, span?.spanContext().spanId ?? trace.spanId);
  }

  /** @internal the route line (TracedRoute.routed). */
  log(route: TracedRoute, nodeIds: readonly string[]): void {
    this.options.logger.info(
      {
        trace: 'route',
        traceId: route.trace.traceId,
        messageId: route.messageId,
        gateway: this.options.gatewayId,
        origin: route.originNode,
        event: route.event,
        targets: nodeIds.length,
        nodes: nodeIds,
      },
      'message routed',
    );
  }
}
