import { frameTraceOf } from '@parley/observability';
import type { Publish__Output } from './generated/parley/relay/v1/Publish';
import type { RouteTrace, RouteTracer } from './relay-server.types';

/** The trace fields a publish's Deliver frames carry, and its route when this gateway follows it. */
export interface DeliverTrace {
  readonly traceId: string;
  readonly traceFlags: number;
  readonly spanId: string;
  readonly traced: RouteTrace | undefined;
}

/** Shared by every untraced publish: nothing is built for them. */
const UNTRACED: DeliverTrace = Object.freeze({ traceId: '', traceFlags: 0, spanId: '', traced: undefined });

/** The W3C flag bits passed on (bit 0, sampled); a node's other bits are not. */
const TRACE_FLAGS_KNOWN = 0x01;

/**
 * Copies a publish's trace onto its Deliver frames. A node's trace fields are
 * input like any other: a malformed id is dropped here, never passed on or
 * logged. A followed publish's Delivers carry this gateway's route span id.
 */
export function deliverTraceOf(publish: Publish__Output, originNode: string, tracer: RouteTracer | undefined): DeliverTrace {
  if (publish.traceId === '') return UNTRACED;
  const trace = frameTraceOf(publish.traceId, publish.traceFlags, publish.spanId);
  if (!trace) return UNTRACED;
  const traced = tracer?.begin(trace, publish.messageId, originNode, publish.event);
  return { traceId: trace.traceId, traceFlags: publish.traceFlags & TRACE_FLAGS_KNOWN, spanId: traced?.spanId ?? trace.spanId, traced };
}
