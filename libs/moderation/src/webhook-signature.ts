import crypto from 'node:crypto';

/** The header a webhook request is signed in: `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const SIGNATURE_HEADER = 'X-Parley-Signature';

/** The header's value for `body` (the exact bytes sent) under `secret` (PARLEY_WEBHOOK_SECRET). */
export function signBody(secret: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** What a moderation service runs on each request: true when `header` signs `body` under `secret` (constant-time). */
export function verifySignature(secret: string, body: string, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
