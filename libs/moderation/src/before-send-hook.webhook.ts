import { z } from 'zod';
import type { BeforeSendHook, BeforeSendRequest, BeforeSendVerdict } from '@parley/domain';
import { MAX_TEXT_LENGTH, ParleyError } from '@parley/protocol';
import type { Logger } from '@parley/util';
import { readBodyCapped } from '@parley/util-node';
import { SIGNATURE_HEADER, signBody } from './webhook-signature';

/** What to do when the service cannot give a valid answer in time: `open` allows the message, `closed` refuses it (UNAVAILABLE). */
export type WebhookFailurePolicy = 'open' | 'closed';

export interface WebhookOptions {
  /** PARLEY_WEBHOOK_BEFORE_SEND: an http(s) URL. */
  url: string;
  /** PARLEY_WEBHOOK_SECRET: signs each request's body (X-Parley-Signature). @default unsigned */
  secret?: string;
  /** PARLEY_WEBHOOK_TIMEOUT_MS: the whole exchange, answer body included. @default 1000 */
  timeoutMs?: number;
  /** PARLEY_WEBHOOK_FAIL. @default 'open' */
  failure?: WebhookFailurePolicy;
  /** Requests waiting for an answer at once beyond which more count as failures (a stalled service must not pile up sends). @default 256 */
  maxInFlight?: number;
  logger: Logger;
}

export const DEFAULT_WEBHOOK = Object.freeze({ timeoutMs: 1000, failure: 'open' as WebhookFailurePolicy, maxInFlight: 256 });

/** The answers a service may give; other fields are ignored, anything else is a failure. */
const verdictSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('allow') }),
  z.object({ action: z.literal('reject'), reason: z.string().max(200).optional() }),
  z.object({ action: z.literal('replace'), text: z.string().max(MAX_TEXT_LENGTH) }),
]);

/** Larger answers are not read to the end: a verdict is a few bytes, a replacement at most MAX_TEXT_LENGTH characters. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** Why a service's answer did not count (logged; never the text). */
class HookFailure extends Error {}

/**
 * The before-send webhook: each new message (and edit) is POSTed as JSON
 * (BeforeSendRequest) to the moderation service, which answers
 * `{"action":"allow"}`, `{"action":"reject","reason"?}` or
 * `{"action":"replace","text"}` with a 2xx status. A timeout, a refused
 * connection, another status, a redirect or a malformed answer is a failure,
 * settled by the policy. Logs name the conversation and sender, never the text.
 */
export class WebhookBeforeSendHook implements BeforeSendHook {
  private readonly url: URL;
  private readonly timeoutMs: number;
  private readonly failure: WebhookFailurePolicy;
  private readonly maxInFlight: number;
  private inFlight = 0;

  constructor(private readonly options: WebhookOptions) {
    this.url = new URL(options.url);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') {
      throw new Error(`the before-send webhook must be an http(s) URL, not ${this.url.protocol}`);
    }
    this.timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK.timeoutMs;
    this.failure = options.failure ?? DEFAULT_WEBHOOK.failure;
    this.maxInFlight = options.maxInFlight ?? DEFAULT_WEBHOOK.maxInFlight;
  }

  async check(request: BeforeSendRequest): Promise<BeforeSendVerdict> {
    if (this.inFlight >= this.maxInFlight) return this.failed(request, 'too many requests waiting for the service');
    this.inFlight++;
    try {
      return await this.ask(request);
    } catch (err) {
      return this.failed(request, reasonOf(err));
    } finally {
      this.inFlight--;
    }
  }

  private async ask(request: BeforeSendRequest): Promise<BeforeSendVerdict> {
    const body = JSON.stringify(request);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'parley-before-send' };
    if (this.options.secret) headers[SIGNATURE_HEADER] = signBody(this.options.secret, body);
    // The timeout's signal also ends reading the answer, so a service that sends headers and stalls is cut too.
    const response = await fetch(this.url, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(this.timeoutMs) });
    if (response.status < 200 || response.status > 299) {
      await response.body?.cancel().catch(() => undefined);
      throw new HookFailure(`status ${response.status}`);
    }
    const text = await readBodyCapped(response, MAX_ANSWER_BYTES);
    if (text === undefined) throw new HookFailure('answer too large');
    const answer = verdictSchema.safeParse(parseJson(text));
    if (!answer.success) throw new HookFailure('malformed answer');
    const verdict = answer.data;
    // A text message cannot become empty; a caption may.
    if (verdict.action === 'replace' && request.kind === 'text' && verdict.text.trim() === '') throw new HookFailure('empty replacement');
    return verdict;
  }

  private failed(request: BeforeSendRequest, reason: string): BeforeSendVerdict {
    const { conversationId, senderId, clientMsgId, editOf } = request;
    this.options.logger.warn(
      { conversationId, senderId, clientMsgId, editOf, reason, policy: this.failure },
      this.failure === 'open' ? 'before-send webhook failed: message allowed (fail-open)' : 'before-send webhook failed: message refused (fail-closed)',
    );
    if (this.failure === 'open') return { action: 'allow' };
    throw new ParleyError('UNAVAILABLE', 'the moderation service did not answer; try again later');
  }
}

/** A short, text-free account of a failure for the log. */
function reasonOf(err: unknown): string {
  if (err instanceof HookFailure) return err.message;
  // Duck-typed: the timeout's DOMException is not an instance of this realm's Error everywhere (jest's vm).
  const { name, cause } = (err ?? {}) as { name?: unknown; cause?: { code?: unknown } };
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  return typeof cause?.code === 'string' ? `unreachable (${cause.code})` : 'unreachable';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HookFailure('malformed answer');
  }
}
