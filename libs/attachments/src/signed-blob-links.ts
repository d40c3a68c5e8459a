import crypto from 'node:crypto';
import type { BlobLinks, DownloadLinkRequest } from '@parley/domain';
import { checkBlobKey } from './blob-keys';

/** What a verified download link says to serve. */
export interface VerifiedDownload {
  key: string;
  contentType: string;
  disposition: 'inline' | 'attachment';
  fileName: string;
}

/**
 * The fs engine's transfer links, served by the gateway: an upload URL
 * (`/api/uploads/<id>/content?t=`) and download URLs
 * (`/api/blobs/<key>?exp=&ct=&cd=&fn=&sig=`). Each carries an HMAC over
 * everything it grants (the key, the expiry, the response headers), made
 * with a key derived from the JWT secret (so gateways and nodes agree with
 * no new secret, and a leaked link key cannot sign tokens); checked in
 * constant time.
 */
export class SignedBlobLinks implements BlobLinks {
  private readonly key: Buffer;

  constructor(jwtSecret: string) {
    this.key = Buffer.from(crypto.hkdfSync('sha256', jwtSecret, 'parley', 'parley blob links v1', 32));
  }

  uploadUrl(uploadId: string, expiresAt: number): string {
    return `/api/uploads/${encodeURIComponent(uploadId)}/content?t=${expiresAt}.${this.sign(['put', uploadId, String(expiresAt)])}`;
  }

  /** True when `token` was made by uploadUrl for this upload and has not expired at `now`. */
  verifyUpload(uploadId: string, token: string, now: number): boolean {
    const [exp = '', sig = ''] = token.split('.', 2);
    if (!/^\d{1,15}$/.test(exp) || Number(exp) < now) return false;
    return this.same(sig, this.sign(['put', uploadId, exp]));
  }

  downloadUrl(request: DownloadLinkRequest): string {
    const fields = downloadFields(request);
    const query = new URLSearchParams({ exp: String(request.expiresAt), ct: request.contentType, cd: request.disposition, fn: request.fileName });
    query.set('sig', this.sign(fields));
    return `/api/blobs/${encodeURIComponent(checkBlobKey(request.key))}?${query.toString()}`;
  }

  /** What a download link grants, when its signature holds and it has not expired; else null. */
  verifyDownload(key: string, query: Record<string, unknown>, now: number): VerifiedDownload | null {
    const { exp, ct, cd, fn, sig } = query;
    if (typeof exp !== 'string' || typeof ct !== 'string' || typeof fn !== 'string' || typeof sig !== 'string') return null;
    if ((cd !== 'inline' && cd !== 'attachment') || !/^\d{1,15}$/.test(exp) || Number(exp) < now) return null;
    const request = { key, expiresAt: Number(exp), contentType: ct, disposition: cd, fileName: fn } as const;
    if (!this.same(sig, this.sign(downloadFields(request)))) return null;
    return { key, contentType: ct, disposition: cd, fileName: fn };
  }

  private sign(fields: string[]): string {
    // Length-prefixed, so no two field lists share a message.
    const message = fields.map((f) => `${Buffer.byteLength(f)}:${f}`).join('|');
    return crypto.createHmac('sha256', this.key).update(message).digest('base64url');
  }

  private same(given: string, expected: string): boolean {
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    return a.length === b.length && crypto.timingSafeEqual(a, b);
  }
}

function downloadFields(r: DownloadLinkRequest): string[] {
  return ['get', r.key, String(r.expiresAt), r.contentType, r.disposition, r.fileName];
}
