import fs from 'node:fs';
import path from 'node:path';
import webpush from 'web-push';
import { z } from 'zod';
import { narrowToOwner } from '@parley/util-node';

/** Push configuration: the VAPID identity and the policy knobs. */
export interface PushConfig {
  /** base64url uncompressed P-256 public key, served to browsers. */
  publicKey: string;
  /** base64url P-256 private key. Never logged. */
  privateKey: string;
  /** mailto: or https: contact sent in the VAPID JWT. */
  subject: string;
  /** Allow http: endpoints and non-public addresses. */
  allowPrivate: boolean;
  /** A user whose every session is hidden this long counts as away. */
  awayAfterMs: number;
}

export const DEFAULT_VAPID_SUBJECT = 'mailto:admin@localhost';
export const DEFAULT_PUSH_AWAY_AFTER_MS = 60_000;

/** base64url text decoding to exactly `bytes` bytes (and, for a public key, an uncompressed point). */
function base64urlKey(bytes: number, what: string): z.ZodString {
  return z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, `${what} must be base64url`)
    .refine((text) => {
      const raw = Buffer.from(text, 'base64url');
      return raw.length === bytes && (bytes !== 65 || raw[0] === 0x04);
    }, `${what} must be a base64url P-256 key of ${bytes} bytes (as web-push generateVAPIDKeys gives)`);
}

const subjectSchema = z.string().refine((text) => {
  try {
    const url = new URL(text);
    return (url.protocol === 'mailto:' && url.pathname.includes('@')) || (url.protocol === 'https:' && url.hostname !== '');
  } catch {
    return false;
  }
}, 'must be a mailto: address or an https: URL');

/** The push keys of an app's environment: merge into its schema (its unknown-key check needs them). */
export const pushEnv = z.object({
  PARLEY_VAPID_PUBLIC_KEY: base64urlKey(65, 'the VAPID public key').optional(),
  PARLEY_VAPID_PRIVATE_KEY: base64urlKey(32, 'the VAPID private key').optional(),
  PARLEY_VAPID_SUBJECT: subjectSchema.default(DEFAULT_VAPID_SUBJECT),
  PARLEY_PUSH_ALLOW_PRIVATE: z.enum(['0', '1']).default('0'),
  PARLEY_PUSH_AWAY_AFTER_MS: z.coerce.number().int().min(0).max(86_400_000).default(DEFAULT_PUSH_AWAY_AFTER_MS),
});

const vapidFileSchema = z.object({ publicKey: base64urlKey(65, 'publicKey'), privateKey: base64urlKey(32, 'privateKey') });

export interface PushConfigOptions {
  /** Embedded mode: without keys in the environment, generate a pair once into `<dataDir>/vapid.json` (0600) and reuse it. */
  dataDir?: string;
}

/**
 * Push configuration from the environment, or null when push is disabled
 * (no keys and no data directory). Only one of the two keys set is a start-up
 * error naming the missing one. Error messages never include key values.
 */
export function pushConfigFromEnv(env: Readonly<Record<string, string | undefined>>, options: PushConfigOptions = {}): PushConfig | null {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(pushEnv.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const parsed = pushEnv.safeParse(picked);
  if (!parsed.success) {
    // Issue messages only: zod's message for a refine never echoes the value.
    const details = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid push configuration: ${details}`);
  }
  const cfg = parsed.data;
  const publicKey = cfg.PARLEY_VAPID_PUBLIC_KEY;
  const privateKey = cfg.PARLEY_VAPID_PRIVATE_KEY;
  if ((publicKey === undefined) !== (privateKey === undefined)) {
    const missing = publicKey === undefined ? 'PARLEY_VAPID_PUBLIC_KEY' : 'PARLEY_VAPID_PRIVATE_KEY';
    const present = publicKey === undefined ? 'PARLEY_VAPID_PRIVATE_KEY' : 'PARLEY_VAPID_PUBLIC_KEY';
    throw new Error(`invalid push configuration: ${missing} is required when ${present} is set`);
  }
  const keys =
    publicKey !== undefined && privateKey !== undefined
      ? { publicKey, privateKey }
      : options.dataDir !== undefined
        ? embeddedVapidKeys(options.dataDir)
        : null;
  if (keys === null) return null;
  return Object.freeze({
    ...keys,
    subject: cfg.PARLEY_VAPID_SUBJECT,
    allowPrivate: cfg.PARLEY_PUSH_ALLOW_PRIVATE === '1',
    awayAfterMs: cfg.PARLEY_PUSH_AWAY_AFTER_MS,
  });
}

/**
 * The embedded server's VAPID pair: read from `<dataDir>/vapid.json`, or
 * generated and written there once (0600, created exclusively so two starts
 * racing keep one pair). Browsers' subscriptions are bound to the public key,
 * so it must survive restarts.
 */
function embeddedVapidKeys(dataDir: string): { publicKey: string; privateKey: string } {
  const file = path.join(dataDir, 'vapid.json');
  fs.mkdirSync(dataDir, { recursive: true });
  if (!fs.existsSync(file)) {
    const generated = webpush.generateVAPIDKeys();
    try {
      fs.writeFileSync(file, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      return generated;
    } catch (err) {
      // Another process wrote it first: use its pair.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  narrowToOwner(file);
  let content: unknown;
  try {
    content = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    // No cause: a JSON syntax error quotes the file's text, which holds the private key.
    throw new Error(`invalid push configuration: ${file} is not readable JSON`);
  }
  const parsed = vapidFileSchema.safeParse(content);
  if (!parsed.success) throw new Error(`invalid push configuration: ${file} does not hold a VAPID key pair (publicKey, privateKey)`);
  return parsed.data;
}
