// What every process exposes about itself: Prometheus metrics, health, request and trace ids.
export { ParleyMetrics, LATENCY_BUCKETS, BATCH_BUCKETS, type ParleyMetricsOptions, type RoleLabels, type SeriesReader, type StopObserving } from './parley-metrics';
export { timedPort, type TimedPortOptions } from './timed-port';
export { meteredThrottles, type MeterableThrottle, type MeteredThrottlesOptions, type ThrottleMaker } from './metered-throttles';
export { startMetricsServer, writeMetrics, type MetricsServer, type MetricsServerOptions } from './metrics-server';
export { DependencyProbe, type Dependency, type DependencyFailure, type DependencyProbeOptions } from './dependency-probe';
export { httpMetrics, labelRoute, routeLabelOf, methodLabelOf, STATIC_ROUTE, UNMATCHED_ROUTE } from './http-metrics';
export { accessLog, acceptedRequestId, REQUEST_ID_HEADER, REQUEST_ID_PATTERN, type AccessLogOptions } from './access-log';
export {
  GatewayRouteTracer,
  MessageTracer,
  OtelTracing,
  TRACE_FLAG_SAMPLED,
  TraceSampler,
  TracedRoute,
  frameTraceOf,
  isSpanId,
  isTraceId,
  messageTracerOf,
  newTraceId,
  routeTracerOf,
  traceEnv,
  tracesUrlOf,
  tracingOf,
  type FrameTrace,
  type GatewayRouteTracerOptions,
  type MessageTracerOptions,
  type OtelTracingOptions,
  type SendOutcome,
  type SendTrace,
  type TraceEnv,
} from './tracing';
