import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import webpush from 'web-push';
import { pushConfigFromEnv } from './push-config';

const keys = webpush.generateVAPIDKeys();

describe('pushConfigFromEnv', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-push-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('is null (push disabled) without keys and without a data directory', () => {
    expect(pushConfigFromEnv({})).toBeNull();
    expect(pushConfigFromEnv({ PARLEY_VAPID_PUBLIC_KEY: '', PARLEY_VAPID_PRIVATE_KEY: '' })).toBeNull();
  });

  it('reads the keys and applies the defaults', () => {
    expect(pushConfigFromEnv({ PARLEY_VAPID_PUBLIC_KEY: keys.publicKey, PARLEY_VAPID_PRIVATE_KEY: keys.privateKey, PARLEY_OTHER: 'x' })).toEqual({
      publicKey: keys.publicKey,
      privateKey: keys.privateKey,
      subject: 'mailto:admin@localhost',
      allowPrivate: false,
      awayAfterMs: 60_000,
    });
    const custom = pushConfigFromEnv({
      PARLEY_VAPID_PUBLIC_KEY: keys.publicKey,
      PARLEY_VAPID_PRIVATE_KEY: keys.privateKey,
      PARLEY_VAPID_SUBJECT: 'https://chat.example.com/contact',
      PARLEY_PUSH_ALLOW_PRIVATE: '1',
      PARLEY_PUSH_AWAY_AFTER_MS: '5000',
    });
    expect(custom).toMatchObject({ subject: 'https://chat.example.com/contact', allowPrivate: true, awayAfterMs: 5_000 });
    expect(Object.isFrozen(custom)).toBe(true);
  });

  it('names the missing key when only one is set', () => {
    expect(() => pushConfigFromEnv({ PARLEY_VAPID_PUBLIC_KEY: keys.publicKey }, { dataDir })).toThrow(/PARLEY_VAPID_PRIVATE_KEY is required/);
    expect(() => pushConfigFromEnv({ PARLEY_VAPID_PRIVATE_KEY: keys.privateKey })).toThrow(/PARLEY_VAPID_PUBLIC_KEY is required/);
  });

  it('refuses malformed keys, subjects and flags without echoing the key', () => {
    const wrongLength = keys.privateKey.slice(0, 20);
    let message = '';
    try {
      pushConfigFromEnv({ PARLEY_VAPID_PUBLIC_KEY: keys.publicKey, PARLEY_VAPID_PRIVATE_KEY: wrongLength });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/PARLEY_VAPID_PRIVATE_KEY/);
    expect(message).not.toContain(wrongLength);
    expect(() => pushConfigFromEnv({ PARLEY_VAPID_PUBLIC_KEY: keys.privateKey, PARLEY_VAPID_PRIVATE_KEY: keys.privateKey })).toThrow(/PUBLIC_KEY/);
    const env = { PARLEY_VAPID_PUBLIC_KEY: keys.publicKey, PARLEY_VAPID_PRIVATE_KEY: keys.privateKey };
    expect(() => pushConfigFromEnv({ ...env, PARLEY_VAPID_SUBJECT: 'http://chat.example.com' })).toThrow(/PARLEY_VAPID_SUBJECT/);
    expect(() => pushConfigFromEnv({ ...env, PARLEY_VAPID_SUBJECT: 'admin@example.com' })).toThrow(/PARLEY_VAPID_SUBJECT/);
    expect(() => pushConfigFromEnv({ ...env, PARLEY_PUSH_ALLOW_PRIVATE: 'yes' })).toThrow(/PARLEY_PUSH_ALLOW_PRIVATE/);
    expect(() => pushConfigFromEnv({ ...env, PARLEY_PUSH_AWAY_AFTER_MS: '-1' })).toThrow(/PARLEY_PUSH_AWAY_AFTER_MS/);
  });

  it('embedded: generates a pair once into <dataDir>/vapid.json (0600) and reuses it', () => {
    const first = pushConfigFromEnv({}, { dataDir });
    const file = path.join(dataDir, 'vapid.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(first).not.toBeNull();
    expect(Buffer.from(first?.publicKey ?? '', 'base64url')).toHaveLength(65);
    expect(Buffer.from(first?.privateKey ?? '', 'base64url')).toHaveLength(32);
    const again = pushConfigFromEnv({}, { dataDir });
    expect(again).toEqual(first);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ publicKey: first?.publicKey, privateKey: first?.privateKey });
  });

  it('embedded: keys from the environment win over the file, and a loosened file is narrowed back', () => {
    const generated = pushConfigFromEnv({}, { dataDir });
    const file = path.join(dataDir, 'vapid.json');
    fs.chmodSync(file, 0o644);
    expect(pushConfigFromEnv({}, { dataDir })?.publicKey).toBe(generated?.publicKey);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(pushConfigFromEnv({ PARLEY_VAPID_PUBLIC_KEY: keys.publicKey, PARLEY_VAPID_PRIVATE_KEY: keys.privateKey }, { dataDir })?.publicKey).toBe(keys.publicKey);
  });

  it('embedded: a damaged vapid.json is a start-up error that does not quote it', () => {
    const file = path.join(dataDir, 'vapid.json');
    fs.writeFileSync(file, `{"privateKey": "${keys.privateKey}"`, { mode: 0o600 });
    expect(() => pushConfigFromEnv({}, { dataDir })).toThrow(/vapid\.json is not readable JSON$/);
    fs.writeFileSync(file, JSON.stringify({ publicKey: keys.publicKey }));
    expect(() => pushConfigFromEnv({}, { dataDir })).toThrow(/does not hold a VAPID key pair/);
  });
});
