import http from 'node:http';
import https from 'node:https';
import webpush from 'web-push';
import type { Clock, PushEngine, PushOutcome, PushRequest } from '@parley/domain';
import { checkPushEndpoint, guardedLookup, NonPublicAddressError, type ResolveHost } from './endpoint-policy';
import { parseRetryAfter } from './retry-after';
import { VapidAuthorization, type VapidIdentity } from './vapid-authorization';

export interface WebPushEngineOptions {
  /** The key pair and contact pushes are signed with (RFC 8292). */
  vapid: VapidIdentity;
  /** Allow http: endpoints and non-public addresses (tests, a push service on the LAN). @default false */
  allowPrivate?: boolean;
  /** Longest a push may take, connection to response. @default 10_000 */
  timeoutMs?: number;
  /** Reads Retry-After dates. @default the system clock */
  clock?: Clock;
  /** Resolves endpoint hosts (tests answer with chosen addresses). @default dns.lookup */
  resolveHost?: ResolveHost;
}

/** A response body is never needed: read at most this much of it before dropping the connection. */
const MAX_RESPONSE_BYTES = 64 * 1024;

interface HttpResult {
  status: number;
  retryAfter: string | undefined;
}

/**
 * Web Push (RFC 8030) with aes128gcm payload encryption (RFC 8291) and VAPID
 * (RFC 8292): web-push builds the encrypted request and signs the VAPID
 * token (reused per push service for an hour), this engine sends it
 * itself so the connection goes only to addresses the endpoint policy allows
 * (web-push's own sender cannot be given a guarded lookup for http endpoints).
 */
export class WebPushEngine implements PushEngine {
  readonly name = 'web-push';
  private readonly allowPrivate: boolean;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly lookup: ReturnType<typeof guardedLookup> | undefined;
  private readonly vapid: VapidAuthorization;
  // Keep-alive: pushes to one push service (FCM, Mozilla, Apple) reuse connections.
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(options: WebPushEngineOptions) {
    this.allowPrivate = options.allowPrivate ?? false;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.lookup = this.allowPrivate ? undefined : guardedLookup(options.resolveHost);
    this.vapid = new VapidAuthorization(options.vapid, this.clock);
  }

  async send(request: PushRequest): Promise<PushOutcome> {
    const refused = checkPushEndpoint(request.destination.endpoint, { allowPrivate: this.allowPrivate });
    if (refused !== null) return { kind: 'failed', reason: refused };
    let details: webpush.RequestDetails;
    try {
      // web-push encrypts (RFC 8291) and sets TTL, Urgency, Topic; the VAPID header comes from the per-origin cache.
      details = webpush.generateRequestDetails(
        { endpoint: request.destination.endpoint, keys: { p256dh: request.destination.p256dh, auth: request.destination.auth } },
        request.payload,
        { TTL: request.ttlSec, urgency: request.urgency, ...(request.topic === undefined ? {} : { topic: request.topic }) },
      );
      details.headers['Authorization'] = this.vapid.headerFor(new URL(request.destination.endpoint).origin);
    } catch (err) {
      // Bad subscription keys or options: sending again cannot help. web-push's messages name no secrets.
      return { kind: 'failed', reason: `cannot build the push: ${(err as Error).message}` };
    }
    try {
      const result = await this.post(request.destination.endpoint, details);
      return this.outcomeOf(result);
    } catch (err) {
      if (err instanceof NonPublicAddressError) return { kind: 'failed', reason: 'endpoint resolves to a non-public address' };
      const code = (err as NodeJS.ErrnoException).code;
      return { kind: 'retry', reason: code ?? (err as Error).message };
    }
  }

  /** Closes the idle keep-alive connections (at shutdown). */
  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  private outcomeOf({ status, retryAfter }: HttpResult): PushOutcome {
    if (status === 201 || status === 202) return { kind: 'sent' };
    if (status === 404 || status === 410) return { kind: 'gone' };
    if (status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(retryAfter, this.clock.now());
      return { kind: 'retry', reason: `HTTP ${status}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    }
    return { kind: 'failed', reason: `HTTP ${status}` };
  }

  private post(endpoint: string, details: webpush.RequestDetails): Promise<HttpResult> {
    const url = new URL(endpoint);
    const secure = url.protocol === 'https:';
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(details.headers)) headers[name] = typeof value === 'number' ? String(value) : value;
    return new Promise<HttpResult>((resolve, reject) => {
      const req = (secure ? https : http).request(url, {
        method: 'POST',
        headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
        ...(this.lookup === undefined ? {} : { lookup: this.lookup }),
      });
      // One deadline for the whole exchange (a socket timeout alone lets a slow trickle run on).
      const deadline = setTimeout(() => req.destroy(Object.assign(new Error('push timed out'), { code: 'ETIMEDOUT' })), this.timeoutMs);
      const settle = (): void => clearTimeout(deadline);
      req.on('error', (err) => {
        settle();
        reject(err);
      });
      req.on('response', (res) => {
        let received = 0;
        const header = res.headers['retry-after'];
        const result = { status: res.statusCode ?? 0, retryAfter: Array.isArray(header) ? header[0] : header };
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) {
            settle();
            res.destroy();
            resolve(result);
          }
        });
        res.on('end', () => {
          settle();
          resolve(result);
        });
        res.on('error', (err) => {
          settle();
          reject(err);
        });
      });
      req.end(details.body ?? undefined);
    });
  }
}
