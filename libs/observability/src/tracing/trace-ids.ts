import { randomFillSync } from 'node:crypto';

/** W3C trace-context ids: 32 lowercase hex digits (trace), 16 (span); all zeros is invalid. */
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/** `trace_flags` bit 0 (W3C "sampled"): the message's path is logged, and exported when spans are on. */
export const TRACE_FLAG_SAMPLED = 1;

/**
 * Random bytes drawn 4 KiB at a time: one `randomFillSync` per 256 trace ids
 * instead of one `randomBytes` (and its Buffer) per message.
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

export function newTraceId(): string {
  let id = randomHex(16);
  while (id === ZERO_TRACE_ID) id = randomHex(16);
  return id;
}

/** True for a well-formed W3C trace id; anything a peer sends is checked with this before it is used or logged. */
export function isTraceId(value: unknown): value is string {
  return typeof value === 'string' && TRACE_ID.test(value) && value !== ZERO_TRACE_ID;
}

export function isSpanId(value: unknown): value is string {
  return typeof value === 'string' && SPAN_ID.test(value) && value !== ZERO_SPAN_ID;
}

/** The trace a relay frame carries once checked: undefined when absent, unsampled or malformed. */
export interface FrameTrace {
  traceId: string;
  /** The sending hop's span (OpenTelemetry parent of the next), '' when that hop exports none. */
  spanId: string;
}

/** Reads a frame's trace fields as untrusted input: a forged or garbage id is dropped, never passed on. */
export function frameTraceOf(traceId: unknown, traceFlags: unknown, spanId: unknown): FrameTrace | undefined {
  if (typeof traceFlags !== 'number' || (traceFlags & TRACE_FLAG_SAMPLED) === 0 || !isTraceId(traceId)) return undefined;
  return { traceId, spanId: isSpanId(spanId) ? spanId : '' };
}
