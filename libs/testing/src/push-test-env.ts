import webpush from 'web-push';

/**
 * The environment that turns Web Push on for a test cluster (gateway and
 * nodes alike): a fresh VAPID pair, and private endpoints allowed because the
 * PushServiceSimulator listens on loopback over http.
 */
export function pushTestEnv(awayAfterMs: number): Record<string, string> & { PARLEY_VAPID_PUBLIC_KEY: string } {
  const vapid = webpush.generateVAPIDKeys();
  return {
    PARLEY_VAPID_PUBLIC_KEY: vapid.publicKey,
    PARLEY_VAPID_PRIVATE_KEY: vapid.privateKey,
    PARLEY_VAPID_SUBJECT: 'mailto:ops@parley.test',
    PARLEY_PUSH_ALLOW_PRIVATE: '1',
    PARLEY_PUSH_AWAY_AFTER_MS: String(awayAfterMs),
  };
}
