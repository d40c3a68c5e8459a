import webpush from 'web-push';
import { VapidAuthorization } from './vapid-authorization';

const identity = { ...webpush.generateVAPIDKeys(), subject: 'mailto:ops@parley.example' };

function claimsOf(header: string): { aud: string; exp: number; sub: string } {
  const token = /^vapid t=([^,]+), k=/.exec(header)?.[1] ?? '';
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { aud: string; exp: number; sub: string };
}

describe('VapidAuthorization', () => {
  it('signs one token per push-service origin, reuses it for an hour, then signs a new one', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const vapid = new VapidAuthorization(identity, { now: () => now });
    const fcm = vapid.headerFor('https://fcm.googleapis.com');
    expect(fcm).toContain(`k=${identity.publicKey}`);
    expect(claimsOf(fcm)).toEqual({ aud: 'https://fcm.googleapis.com', exp: now / 1000 + 12 * 3600, sub: identity.subject });
    const mozilla = vapid.headerFor('https://updates.push.services.mozilla.com');
    expect(claimsOf(mozilla).aud).toBe('https://updates.push.services.mozilla.com');
    now += 3_599_000;
    expect(vapid.headerFor('https://fcm.googleapis.com')).toBe(fcm);
    now += 1_000;
    const renewed = vapid.headerFor('https://fcm.googleapis.com');
    expect(renewed).not.toBe(fcm);
    expect(claimsOf(renewed).exp).toBe(now / 1000 + 12 * 3600);
  });
});
