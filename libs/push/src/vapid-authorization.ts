import webpush from 'web-push';
import type { Clock } from '@parley/domain';

/** What signs pushes: the VAPID key pair and the operator's contact. */
export interface VapidIdentity {
  publicKey: string;
  privateKey: string;
  subject: string;
}

/** Lifetime of a token (push services accept up to 24 h). */
const TOKEN_TTL_SEC = 12 * 3_600;
/** A token is reused for this long, so every one sent has hours left. */
const REUSE_MS = 3_600_000;
/** Audiences remembered at most (a handful of push services in practice; endpoints are client-chosen). */
const MAX_AUDIENCES = 1_000;

/**
 * VAPID `Authorization` headers (RFC 8292), one token per push-service origin
 * reused for an hour: signing one costs milliseconds (about 80% of building a
 * push), and RFC 8292 lets a sender reuse a token for its lifetime.
 */
export class VapidAuthorization {
  private readonly byAudience = new Map<string, { header: string; until: number }>();

  constructor(
    private readonly identity: VapidIdentity,
    private readonly clock: Clock,
  ) {}

  /** The header for pushes to `audience` (an endpoint's origin). */
  headerFor(audience: string): string {
    const now = this.clock.now();
    const cached = this.byAudience.get(audience);
    if (cached !== undefined && cached.until > now) return cached.header;
    const expiration = Math.floor(now / 1_000) + TOKEN_TTL_SEC;
    const { publicKey, privateKey, subject } = this.identity;
    const header = webpush.getVapidHeaders(audience, subject, publicKey, privateKey, 'aes128gcm', expiration).Authorization;
    if (this.byAudience.size >= MAX_AUDIENCES) this.byAudience.clear();
    this.byAudience.set(audience, { header, until: now + REUSE_MS });
    return header;
  }
}
