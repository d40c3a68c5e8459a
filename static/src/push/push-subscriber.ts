import { ParleyError, type PushSubscriptionInput } from '@parley/protocol';

/** What this browser can do about pushes for the signed-in user. */
export type PushStatus = 'unsupported' | 'denied' | 'off' | 'on';

/** The signed-in REST call (the client library's `rest`: the access token, renewed once if refused). */
export type Rest = <T>(method: string, path: string, body?: unknown) => Promise<T>;

const WORKER_URL = '/sw.js';

/** The server has no VAPID keys: it sends no pushes (503 on the key). */
export class PushNotConfiguredError extends Error {
  constructor() {
    super('push notifications are not configured on this server');
    this.name = 'PushNotConfiguredError';
  }
}
/** The browser's PushManager wants the VAPID key as bytes. */
export function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * This browser's Web Push subscription for the signed-in session: the
 * service worker at `/sw.js` (scope `/`), the browser's permission, and the
 * server's copy (POST on subscribe and on each sign-in, DELETE on sign-out).
 * Asking for permission happens only in `enable()`, which the page calls
 * from a click.
 */
export class PushSubscriber {
  constructor(private readonly rest: Rest) {}

  supported(): boolean {
    return typeof navigator !== 'undefined' && 'serviceWorker' in navigator && typeof PushManager !== 'undefined' && typeof Notification !== 'undefined';
  }

  /** Registers the service worker (no prompt: it also opens chats from notification clicks). */
  async register(): Promise<ServiceWorkerRegistration | undefined> {
    if (!this.supported()) return undefined;
    try {
      return await navigator.serviceWorker.register(WORKER_URL, { scope: '/' });
    } catch {
      return undefined; // an insecure origin, or workers disabled: the page works without
    }
  }

  async status(): Promise<PushStatus> {
    if (!this.supported()) return 'unsupported';
    if (Notification.permission === 'denied') return 'denied';
    if (Notification.permission !== 'granted') return 'off';
    const registration = await navigator.serviceWorker.getRegistration('/');
    return (await registration?.pushManager.getSubscription()) ? 'on' : 'off';
  }

  /** Whether the page may offer notifications (supported, not yet asked). */
  canAsk(): boolean {
    return this.supported() && Notification.permission === 'default';
  }

  /** From a user gesture: asks for permission, subscribes with the server's VAPID key and hands the subscription to the server. */
  async enable(): Promise<PushStatus> {
    if (!this.supported()) return 'unsupported';
    const permission = await Notification.requestPermission();
    if (permission === 'denied') return 'denied';
    if (permission !== 'granted') return 'off';
    await this.subscribe();
    return 'on';
  }

  /**
   * After sign-in, when permission was given earlier: (re)subscribes and
   * tells the server, so pushes follow this session. Never prompts.
   */
  async resume(): Promise<void> {
    if (!this.supported() || Notification.permission !== 'granted') return;
    await this.subscribe();
  }

  /** Stops pushes to this browser: the server forgets the subscription, the browser drops it. */
  async disable(): Promise<void> {
    const registration = this.supported() ? await navigator.serviceWorker.getRegistration('/') : undefined;
    const subscription = await registration?.pushManager.getSubscription();
    if (!subscription) return;
    try {
      await this.rest('DELETE', '/api/push/subscriptions', { endpoint: subscription.endpoint });
    } catch {
      // gone already (404) or the session is over: the unsubscribe below still ends it at the push service
    }
    await subscription.unsubscribe().catch(() => false);
  }

  private async subscribe(): Promise<void> {
    const registration = (await this.register()) ?? (await navigator.serviceWorker.ready);
    await navigator.serviceWorker.ready;
    const { publicKey } = await this.rest<{ publicKey: string }>('GET', '/api/push/vapid-public-key').catch((err: unknown) => {
      throw err instanceof ParleyError && err.code === 'UNAVAILABLE' ? new PushNotConfiguredError() : err;
    });
    const key = base64UrlToBytes(publicKey);
    let subscription = await registration.pushManager.getSubscription();
    if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
      // The server's key changed: a subscription for the old one would be refused by the push service.
      await subscription.unsubscribe();
      subscription = null;
    }
    subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    await this.rest('POST', '/api/push/subscriptions', subscription.toJSON() as PushSubscriptionInput);
  }
}

function sameKey(current: ArrayBuffer | null, wanted: Uint8Array): boolean {
  if (!current) return false;
  const bytes = new Uint8Array(current);
  return bytes.length === wanted.length && bytes.every((b, i) => b === wanted[i]);
}
