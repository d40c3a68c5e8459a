import { createECDH, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { waitFor, type WaitOptions } from './wait-for';

/** The part of http_ece (RFC 8188 content encoding, by web-push's authors) used here; it ships no types. */
interface Ece {
  decrypt(body: Buffer, params: { version: 'aes128gcm'; privateKey: ECDH; authSecret: string }): Buffer;
}
const ece = createRequire(__filename)('http_ece') as Ece;

/** What a browser's PushSubscription.toJSON() gives (without expirationTime). */
export interface SimulatedSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** A push the simulator accepted, decrypted. */
export interface ReceivedPush {
  subscriptionId: string;
  /** The decrypted body, parsed as JSON (the text itself when it is not JSON). */
  payload: unknown;
  headers: { ttl: string | undefined; urgency: string | undefined; topic: string | undefined };
}

/** A request the simulator refused (bad VAPID JWT, wrong audience, undecryptable body ...). */
export interface RejectedPush {
  subscriptionId: string;
  status: number;
  reason: string;
}

interface Subscription {
  ecdh: ECDH;
  auth: string;
  /** When set, the VAPID key (k=) must be this one (the applicationServerKey the browser subscribed with). */
  applicationServerKey: string | undefined;
  /** Scripted answers, used first; the last one sticks unless it was given a count. */
  scripted: Array<{ status: number; headers: Record<string, string>; remaining: number }>;
}

class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Push services accept at least 4096 bytes of encrypted body (RFC 8030 §7.2); beyond: 413. */
const MAX_BODY = 4096;
const DAY_SEC = 86_400;

/**
 * A local push service speaking Web Push (RFC 8030) for tests: it hands out
 * subscriptions with real P-256 keys and auth secrets, checks every push's
 * VAPID JWT (RFC 8292: ES256 signature against k=, aud, exp, sub) and
 * encoding headers, decrypts the aes128gcm body (RFC 8291) with the
 * subscription's keys, and records it. Tests can script answers (410, 429 with
 * Retry-After, 500) per subscription.
 */
export class PushServiceSimulator {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly received: ReceivedPush[] = [];
  private readonly refused: RejectedPush[] = [];
  private inFlight = 0;
  private maxInFlightSeen = 0;
  private latencyMs = 0;
  private requests = 0;

  private constructor(
    private readonly server: http.Server,
    /** `http://127.0.0.1:<port>`: the audience every VAPID JWT must name. */
    readonly origin: string,
  ) {}

  static async start(): Promise<PushServiceSimulator> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const simulator = new PushServiceSimulator(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => void simulator.handle(req, res));
    return simulator;
  }

  /** A new subscription, as the browser would give it; `applicationServerKey` makes a push signed with another VAPID key refused (403). */
  newSubscription(options: { applicationServerKey?: string } = {}): SimulatedSubscription {
    const id = randomBytes(16).toString('base64url');
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16).toString('base64url');
    this.subscriptions.set(id, { ecdh, auth, applicationServerKey: options.applicationServerKey, scripted: [] });
    return { endpoint: `${this.origin}/push/${id}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth } };
  }

  /**
   * Answers `status` (with `headers`) to the next `times` valid pushes to this
   * subscription (an id or its endpoint), without recording them; without
   * `times`, from now on.
   */
  respondWith(subscription: string, status: number, headers: Record<string, string> = {}, times = Infinity): void {
    this.subscriptionOf(subscription).scripted.push({ status, headers, remaining: times });
  }

  /** Holds every answer this long (to observe how many pushes a sender has in flight). */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Pushes accepted, oldest first; only those of one subscription (an id or its endpoint) when given. */
  pushes(subscription?: string): ReceivedPush[] {
    if (subscription === undefined) return [...this.received];
    const id = idOf(subscription);
    return this.received.filter((push) => push.subscriptionId === id);
  }

  /** Requests refused (VAPID, encoding, decryption): a correct sender makes none. */
  rejected(): RejectedPush[] {
    return [...this.refused];
  }

  /** Every request received, accepted, scripted or refused. */
  get requestCount(): number {
    return this.requests;
  }

  /** The most requests this service was handling at once. */
  get maxInFlight(): number {
    return this.maxInFlightSeen;
  }

  waitForPushes(n: number, subscription?: string, options?: WaitOptions): Promise<ReceivedPush[]> {
    return waitFor(`${n} pushes${subscription === undefined ? '' : ` to ${idOf(subscription)}`}`, () => this.pushes(subscription), (pushes) => pushes.length >= n, options);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private subscriptionOf(subscription: string): Subscription {
    const found = this.subscriptions.get(idOf(subscription));
    if (found === undefined) throw new Error(`PushServiceSimulator: no subscription ${idOf(subscription)}`);
    return found;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.requests++;
    this.inFlight++;
    this.maxInFlightSeen = Math.max(this.maxInFlightSeen, this.inFlight);
    const id = /^\/push\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '')?.[1] ?? '';
    try {
      const body = await readBody(req);
      if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      const { status, headers } = this.answer(id, req, body);
      res.writeHead(status, headers).end();
    } catch (err) {
      const status = err instanceof Refused ? err.status : 400;
      this.refused.push({ subscriptionId: id, status, reason: (err as Error).message });
      res.writeHead(status).end((err as Error).message);
    } finally {
      this.inFlight--;
    }
  }

  private answer(id: string, req: http.IncomingMessage, body: Buffer): { status: number; headers: Record<string, string> } {
    if (req.method !== 'POST') throw new Refused(405, 'only POST');
    const subscription = this.subscriptions.get(id);
    if (subscription === undefined) throw new Refused(404, 'no such subscription');
    this.checkVapid(req, subscription);
    if (req.headers['content-encoding'] !== 'aes128gcm') throw new Refused(400, 'Content-Encoding must be aes128gcm');
    if (!/^\d+$/.test(header(req, 'ttl') ?? '')) throw new Refused(400, 'TTL header missing or not a number');
    let text: string;
    try {
      text = ece.decrypt(body, { version: 'aes128gcm', privateKey: subscription.ecdh, authSecret: subscription.auth }).toString('utf8');
    } catch (err) {
      throw new Refused(400, `undecryptable: ${(err as Error).message}`);
    }
    const scripted = subscription.scripted[0];
    if (scripted !== undefined) {
      scripted.remaining--;
      if (scripted.remaining <= 0) subscription.scripted.shift();
      return { status: scripted.status, headers: scripted.headers };
    }
    this.received.push({
      subscriptionId: id,
      payload: parseJson(text),
      headers: { ttl: header(req, 'ttl'), urgency: header(req, 'urgency'), topic: header(req, 'topic') },
    });
    return { status: 201, headers: { Location: `${this.origin}/message/${randomBytes(8).toString('hex')}` } };
  }

  /** RFC 8292: `Authorization: vapid t=<JWT>, k=<public key>`. */
  private checkVapid(req: http.IncomingMessage, subscription: Subscription): void {
    const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(req.headers.authorization ?? '');
    if (match === null) throw new Refused(401, 'missing or malformed VAPID Authorization');
    const [, token = '', key = ''] = match;
    const parts = token.split('.');
    if (parts.length !== 3) throw new Refused(401, 'malformed JWT');
    const [headerPart = '', claimsPart = '', signaturePart = ''] = parts;
    const jwtHeader = jsonObject(headerPart);
    if (jwtHeader.alg !== 'ES256') throw new Refused(401, 'JWT alg must be ES256');
    const raw = Buffer.from(key, 'base64url');
    if (raw.length !== 65 || raw[0] !== 0x04) throw new Refused(401, 'k is not an uncompressed P-256 key');
    const publicKey = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') },
      format: 'jwk',
    });
    const signed = Buffer.from(`${headerPart}.${claimsPart}`);
    const signature = Buffer.from(signaturePart, 'base64url');
    if (!verify('sha256', signed, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)) throw new Refused(401, 'bad JWT signature');
    const claims = jsonObject(claimsPart);
    if (claims.aud !== this.origin) throw new Refused(401, 'JWT aud is not this push service');
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now || claims.exp > now + DAY_SEC) throw new Refused(401, 'JWT exp must be in the next 24 hours');
    if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub)) throw new Refused(401, 'JWT sub must be a mailto: or https: contact');
    if (subscription.applicationServerKey !== undefined && subscription.applicationServerKey !== key) throw new Refused(403, 'VAPID key is not the subscription\'s');
  }
}

/** A subscription id from an id or its endpoint. */
function idOf(subscription: string): string {
  return subscription.slice(subscription.lastIndexOf('/') + 1);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A JWT part's JSON object; anything else is refused. */
function jsonObject(part: string): Record<string, unknown> {
  const value = parseJson(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null) throw new Refused(401, 'malformed JWT');
  return value as Record<string, unknown>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Refused(413, `body larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
