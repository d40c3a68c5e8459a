import { performance } from 'node:perf_hooks';
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { Logger } from '@parley/util';
import { InFlightSends } from './in-flight-sends';
import type { OtelTracing } from './otel-tracing';
import { TRACE_FLAG_SAMPLED, newTraceId, type FrameTrace } from './trace-ids';
import type { TraceSampler } from './trace-sampler';

/** Longest message or conversation id a push line repeats from a relayed frame. */
const MAX_LOGGED_CHARS = 128;

/** A message:send being followed, from its receipt to its ack. */
export interface SendTrace {
  readonly traceId: string;
  /** The `message.send` span's id when spans are exported, else ''. */
  readonly spanId: string;
  /** Always TRACE_FLAG_SAMPLED: unsampled sends have no SendTrace at all. */
  readonly flags: number;
  readonly startedAt: number;
  readonly span: Span | undefined;
}

/** How a command's outcome reads in the ack line (the dispatcher knows the ack's shape). */
export interface SendOutcome {
  ok: boolean;
  messageId?: string;
  conversationId?: string;
  code?: string;
}

export interface MessageTracerOptions {
  /** Names the node in spans (`parley.node`). */
  nodeId: string;
  /** Trace lines are info: a node logging at warn shows none. The node's logger: its `nodeId` names the node on every line (not repeated here). */
  logger: Logger;
  sampler: TraceSampler;
  /** Spans are made only with it (OpenTelemetry exporter configured). */
  otel?: OtelTracing;
}

/**
 * Follows messages through an IM node. A sampled message:send is noted as
 * in flight by its sender and clientMsgId (`sending`, until `sent`); the
 * notifier, publishing that message, finds its trace by the same two ids
 * (`traceOf`), so the services between take no new parameter and no
 * AsyncLocalStorage is used (its first run turns on async hooks for every
 * promise in the process, tracing or not). The relay receiver reports the
 * push of a traced frame. One info line per hop, all with `traceId`.
 */
export class MessageTracer {
  private readonly inFlight = new InFlightSends();
  private readonly logger: Logger;
  private readonly following: boolean;

  constructor(private readonly options: MessageTracerOptions) {
    this.logger = options.logger;
    this.following = options.sampler.ratio > 0;
  }

  /** Starts following one message:send, or undefined when it is not sampled. */
  begin(): SendTrace | undefined {
    if (!this.options.sampler.sample()) return undefined;
    const startedAt = performance.now();
    const otel = this.options.otel;
    if (otel === undefined) return { traceId: newTraceId(), spanId: '', flags: TRACE_FLAG_SAMPLED, startedAt, span: undefined };
    const span = otel.startRoot('message.send', { 'parley.node': this.options.nodeId });
    const context = span.spanContext();
    return { traceId: context.traceId, spanId: context.spanId, flags: TRACE_FLAG_SAMPLED, startedAt, span };
  }

  /** A followed send of (senderId, clientMsgId) starts: its message's publish will find `trace`. */
  sending(senderId: string, clientMsgId: string, trace: SendTrace): void {
    this.inFlight.add(senderId, clientMsgId, trace);
  }

  /** That send is over (acked or refused): forgotten. */
  sent(senderId: string, clientMsgId: string, trace: SendTrace): void {
    this.inFlight.remove(senderId, clientMsgId, trace);
  }

  /** The trace of a followed send of this message in flight here, if any (each send's trace is taken once). */
  traceOf(senderId: string, clientMsgId: string): SendTrace | undefined {
    return this.inFlight.claim(senderId, clientMsgId);
  }

  /** Sends followed right now. */
  get sendsInFlight(): number {
    return this.inFlight.size;
  }

  /** The ack line on the sender's node, with the time from receipt to ack. */
  acked(trace: SendTrace, outcome: SendOutcome): void {
    const ms = Math.round((performance.now() - trace.startedAt) * 1000) / 1000;
    this.logger.info(
      { trace: 'ack', traceId: trace.traceId, messageId: outcome.messageId, conversationId: outcome.conversationId, ok: outcome.ok, code: outcome.code, ms },
      'message acked',
    );
    const span = trace.span;
    if (span === undefined) return;
    if (outcome.messageId !== undefined) span.setAttribute('parley.message_id', outcome.messageId);
    if (outcome.conversationId !== undefined) span.setAttribute('parley.conversation_id', outcome.conversationId);
    if (!outcome.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.code });
    span.end();
  }

  /** Pushed to this node's own sockets by the sender's node (no span: it is part of `message.send`). */
  pushedLocally(trace: SendTrace, event: string, messageId: string, conversationId: string | undefined, sockets: number): void {
    this.logger.info({ trace: 'push', traceId: trace.traceId, messageId, conversationId, event, sockets, local: true }, 'message pushed to local sockets');
  }

  /** True when pushes of traced frames from other nodes are logged here (PARLEY_TRACE_SAMPLE above 0). */
  get followsRelayed(): boolean {
    return this.following;
  }

  /** A traced frame from another node was pushed to this node's sockets: the push line and the `message.push` span. */
  pushedRelayed(trace: FrameTrace, push: { event: string; messageId: string; conversationId: string | undefined; sockets: number; originNode: string; gatewayId: string }): void {
    if (!this.following) return;
    // Another node's words (validated by the frame's schema, not in length): bounded before they are logged.
    const messageId = push.messageId.slice(0, MAX_LOGGED_CHARS);
    const conversationId = push.conversationId?.slice(0, MAX_LOGGED_CHARS);
    this.logger.info(
      {
        trace: 'push',
        traceId: trace.traceId,
        messageId,
        conversationId,
        event: push.event,
        sockets: push.sockets,
        origin: push.originNode,
        gateway: push.gatewayId,
      },
      'message pushed to local sockets',
    );
    const otel = this.options.otel;
    if (otel === undefined || trace.spanId === '') return;
    otel
      .startChild('message.push', trace.traceId, trace.spanId, SpanKind.CONSUMER, {
        'parley.node': this.options.nodeId,
        'parley.message_id': messageId,
        'parley.event': push.event,
        'parley.sockets': push.sockets,
      })
      .end();
  }
}
