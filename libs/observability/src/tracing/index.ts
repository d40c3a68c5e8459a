// Follow one message: trace ids made at message:send, carried in relay frames, logged per hop, exported as OpenTelemetry spans.
export { TRACE_FLAG_SAMPLED, frameTraceOf, isSpanId, isTraceId, newTraceId, type FrameTrace } from './trace-ids';
export { TraceSampler } from './trace-sampler';
export { OtelTracing, type OtelTracingOptions } from './otel-tracing';
export { messageTracerOf, routeTracerOf, traceEnv, tracesUrlOf, tracingOf, type TraceEnv } from './trace-config';
export { MessageTracer, type MessageTracerOptions, type SendOutcome, type SendTrace } from './message-tracer';
export { GatewayRouteTracer, TracedRoute, type GatewayRouteTracerOptions } from './route-tracer';
