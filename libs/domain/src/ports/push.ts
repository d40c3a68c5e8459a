/*
 * Pushes to devices that are away: the port the domain talks to (Pusher) and
 * the engine interface one push protocol implements (Web Push now; an FCM or
 * APNs engine later implements the same PushEngine with its own device
 * tokens). See docs/push.md.
 */

/** Where one push goes: a Web Push subscription (RFC 8030 endpoint, RFC 8291 keys). */
export interface PushDestination {
  endpoint: string;
  /** base64url P-256 public key of the user agent. */
  p256dh: string;
  /** base64url 16-byte authentication secret. */
  auth: string;
}

/** One push to one device. */
export interface PushRequest {
  destination: PushDestination;
  /** The JSON text the device's service worker receives (PushPayload of the protocol). */
  payload: string;
  /** How long the push service keeps it for an unreachable device, seconds. */
  ttlSec: number;
  /** RFC 8030 Urgency. */
  urgency: 'low' | 'normal' | 'high';
  /** RFC 8030 Topic (≤ 32 base64url characters): a newer push with the same topic replaces an undelivered one. */
  topic?: string;
}

/** What the push service answered. */
export type PushOutcome =
  /** Accepted (201). */
  | { kind: 'sent' }
  /** The subscription no longer exists (404, 410): remove it. */
  | { kind: 'gone' }
  /** Try again later (429, 5xx, a network error); `retryAfterMs` from Retry-After when given. */
  | { kind: 'retry'; retryAfterMs?: number; reason: string }
  /** Refused for good (400, 401, 403, 413, an endpoint the policy forbids): drop this push. */
  | { kind: 'failed'; reason: string };

/** One push protocol. Never throws: every failure is an outcome. */
export interface PushEngine {
  readonly name: string;
  send(request: PushRequest): Promise<PushOutcome>;
}

/**
 * The domain's way to push: queues requests and returns at once (the send
 * path never waits for a push service); the implementation sends them with
 * bounded concurrency, retries with backoff, and reports gone destinations.
 */
export interface Pusher {
  push(requests: readonly PushRequest[]): void;
  /** Resolves once everything queued so far was sent, dropped or given up. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
