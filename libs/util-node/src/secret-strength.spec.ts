import crypto from 'node:crypto';
import { z } from 'zod';
import { parseEnvConfig } from './env-config';
import { SECRET_HINT, secretWeakness, strongSecret } from './secret-strength';

describe('secretWeakness', () => {
  // 5,000 samples each here; 300,000 each offline left wide margins (hex: >= 214 bits,
  // >= 12 distinct characters, <= 41% close neighbours; base64: >= 182 bits).
  it.each(['hex', 'base64', 'base64url'] as const)('passes every crypto.randomBytes(32) secret as %s', (encoding) => {
    for (let i = 0; i < 5_000; i++) {
      const secret = crypto.randomBytes(32).toString(encoding);
      const weakness = secretWeakness(secret);
      if (weakness) throw new Error(`refused a random ${encoding} secret (${weakness})`);
    }
  });

  it('passes what the hint says to run (openssl rand -base64 48)', () => {
    for (let i = 0; i < 1_000; i++) expect(secretWeakness(crypto.randomBytes(48).toString('base64'))).toBeUndefined();
  });

  it('refuses secrets shorter than 32 characters', () => {
    expect(secretWeakness(crypto.randomBytes(15).toString('hex'))).toBe('is 30 characters long; needs at least 32');
    expect(secretWeakness('')).toMatch(/is 0 characters long/);
  });

  it.each([
    'change-me-change-me-change-me-change-me',
    'CHANGEME_please_k2J9x7Qw3Zp8Lm4Rt6Yv',
    'dev-only-secret-dev-only-secret-0123456789',
    'replace_me_with_a_real_value_9fK2mQ8x',
    'this-is-a-placeholder-for-the-jwt-key-123',
    'your-secret-goes-here-Ab3De5Gh7Jk9Lm1Np',
    'Password1234567890!Password1234567890!',
    'example-secret-value-for-docs-q8W2e4R6t',
    'insecure-but-long-enough-for-hs256-k9P3',
    'my jwt secret for the parley cluster 2024',
    'xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx',
  ])('refuses the placeholder %p', (secret) => {
    expect(secretWeakness(secret)).toBe('is a known placeholder');
  });

  it.each([
    'a'.repeat(40),
    'ab'.repeat(20),
    'Zq9!Zq9!Zq9!Zq9!Zq9!Zq9!Zq9!Zq9!Zq9!',
    'k3Jd8sLq0Wk3Jd8sLq0Wk3Jd8sLq0Wk3Jd8sLq0W',
  ])('refuses the repeated pattern %p', (secret) => {
    expect(secretWeakness(secret)).toBe('is a short pattern repeated');
  });

  it.each(['abcdefghijklmnopqrstuvwxyz0123456789', '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'aabbccddeeffgghhiijjkkllmmnnoopp'])(
    'refuses the sequence %p',
    (secret) => {
      expect(secretWeakness(secret)).toBe('is a predictable sequence');
    },
  );

  it('refuses too few distinct characters', () => {
    expect(secretWeakness('azzazaazzaazazzazaazazzaazzazaazazza')).toBe(
      'uses only 2 distinct characters; needs at least 10',
    );
  });

  it('refuses low entropy', () => {
    // 11 distinct characters, but mostly three of them: ~2.5 bits per character.
    expect(secretWeakness('maqzzmzwazaaeamaarzzzatmazayaazzuzzzaiam')).toBe(
      'has too little entropy (about 99 bits; needs 128)',
    );
  });

  it('never quotes the secret in its reason', () => {
    const secret = 'change-me-change-me-change-me-change-me';
    expect(secretWeakness(secret)).not.toContain('change');
  });
});

describe('strongSecret', () => {
  const schema = z.object({ PARLEY_JWT_SECRET: strongSecret() });

  it('names the variable, the reason and how to generate one in the config error', () => {
    expect(() => parseEnvConfig(schema, { PARLEY_JWT_SECRET: 'change-me-change-me-change-me-change-me' })).toThrow(
      'PARLEY_JWT_SECRET: is a known placeholder; generate one with: openssl rand -base64 48',
    );
    expect(SECRET_HINT).toBe('generate one with: openssl rand -base64 48');
  });

  it('keeps the secret itself out of the error', () => {
    const secret = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let message = '';
    try {
      parseEnvConfig(schema, { PARLEY_JWT_SECRET: secret });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^invalid configuration: PARLEY_JWT_SECRET: is a predictable sequence; /);
    expect(message).not.toContain(secret);
  });

  it('accepts a strong secret unchanged, and composes with optional()', () => {
    const secret = crypto.randomBytes(48).toString('base64');
    expect(parseEnvConfig(schema, { PARLEY_JWT_SECRET: secret }).PARLEY_JWT_SECRET).toBe(secret);
    const optional = z.object({ PARLEY_JWT_SECRET: strongSecret().optional() });
    expect(parseEnvConfig(optional, {}).PARLEY_JWT_SECRET).toBeUndefined();
    expect(() => parseEnvConfig(optional, { PARLEY_JWT_SECRET: 'short' })).toThrow(/PARLEY_JWT_SECRET: is 5 characters/);
  });
});
