import { z } from 'zod';
import type { Logger } from '@parley/util';
import { MessageTracer } from './message-tracer';
import { GatewayRouteTracer } from './route-tracer';
import { TraceSampler } from './trace-sampler';
import { OtelTracing } from './otel-tracing';

/**
 * The environment of message tracing, shared by the apps' config schemas:
 * PARLEY_TRACE_SAMPLE, and OpenTelemetry's standard exporter variables
 * (spans are exported only when one of them is set).
 */
export const traceEnv = z.object({
  /** Share of messages followed (trace id made, logged at ack, route and push): 1 all, 0 none. */
  PARLEY_TRACE_SAMPLE: z.coerce.number().min(0).max(1).default(1),
  /** OTLP/HTTP base URL; spans go to `<it>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** OTLP/HTTP traces URL, used as is (wins over the base URL). */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
});

export type TraceEnv = z.output<typeof traceEnv>;

/** The traces URL the OpenTelemetry spec derives from the two variables; undefined: no export. */
export function tracesUrlOf(env: Pick<TraceEnv, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'>): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

/** What a composition root hands a role's tracer: the sampler, and spans only when an exporter is configured (and sampling is on). */
export function tracingOf(env: TraceEnv, serviceName: string, instanceId: string): { sampler: TraceSampler; otel?: OtelTracing } {
  const sampler = new TraceSampler(env.PARLEY_TRACE_SAMPLE);
  const url = tracesUrlOf(env);
  if (url === undefined || env.PARLEY_TRACE_SAMPLE === 0) return { sampler };
  return { sampler, otel: new OtelTracing({ url, serviceName, instanceId }) };
}

/** A node's MessageTracer from the environment, and how to flush its spans at shutdown. */
export function messageTracerOf(env: TraceEnv, nodeId: string, logger: Logger): { tracer: MessageTracer; close(): Promise<void> } {
  const { sampler, otel } = tracingOf(env, 'parley-im', nodeId);
  const tracer = new MessageTracer({ nodeId, logger: logger.child({ component: 'trace' }), sampler, otel });
  return { tracer, close: () => otel?.shutdown() ?? Promise.resolve() };
}

/** A gateway's GatewayRouteTracer from the environment, and how to flush its spans at shutdown. */
export function routeTracerOf(env: TraceEnv, gatewayId: string, logger: Logger): { tracer: GatewayRouteTracer; close(): Promise<void> } {
  const { sampler, otel } = tracingOf(env, 'parley-gateway', gatewayId);
  const tracer = new GatewayRouteTracer({ gatewayId, logger: logger.child({ component: 'trace' }), follow: sampler.ratio > 0, otel });
  return { tracer, close: () => otel?.shutdown() ?? Promise.resolve() };
}
