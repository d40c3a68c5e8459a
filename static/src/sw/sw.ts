/**
 * The service worker (built to /sw.js, scope /): shows a notification for
 * each push, and a click on one brings Parley forward in the conversation.
 * Self-contained: it imports nothing the page's bundle shares.
 */
import { notificationFor, safePath, workerLanguage } from './notification-content';

/** The parts of the service worker scope used here (the DOM lib has no worker types). */
interface WindowClientLike {
  url: string;
  focus(): Promise<unknown>;
  postMessage(message: unknown): void;
}
interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface PushEventLike extends ExtendableEventLike {
  data: { text(): string } | null;
}
interface NotificationEventLike extends ExtendableEventLike {
  notification: Notification;
}
interface WorkerScope {
  registration: ServiceWorkerRegistration;
  location: Location;
  navigator: Navigator;
  clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowClientLike[]>;
    openWindow(url: string): Promise<unknown>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: string, listener: (event: never) => void): void;
}

const worker = self as unknown as WorkerScope;

/** Keeps the worker alive for `work`; a synthetic (untrusted) event cannot extend its life, but the work still runs. */
function extend(event: ExtendableEventLike, work: Promise<unknown>): void {
  try {
    event.waitUntil(work);
  } catch {
    // not a browser-dispatched event
  }
}

/** The language the page saved (a Cache entry: workers have no localStorage). */
async function savedLanguage(): Promise<string | undefined> {
  try {
    const cache = await caches.open('parley-settings');
    return (await (await cache.match('/__parley/language'))?.text()) ?? undefined;
  } catch {
    return undefined;
  }
}

async function show(text: string | undefined): Promise<void> {
  const lang = workerLanguage(await savedLanguage(), worker.navigator.language);
  const shown = notificationFor(text, lang);
  if (shown) await worker.registration.showNotification(shown.title, shown.options as NotificationOptions);
}

/** An open Parley tab opens the conversation (and comes forward); with none, a new one opens at the URL. */
async function openConversation(data: unknown): Promise<void> {
  const url = safePath((data as { url?: unknown } | null)?.url);
  const tabs = await worker.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const tab = tabs.find((c) => new URL(c.url).origin === worker.location.origin);
  if (!tab) {
    await worker.clients.openWindow(url);
    return;
  }
  tab.postMessage({ type: 'parley:open', url });
  await tab.focus().catch(() => undefined); // focus needs the click's user activation
}

worker.addEventListener('install', () => void worker.skipWaiting());
worker.addEventListener('activate', (event: ExtendableEventLike) => extend(event, worker.clients.claim()));
worker.addEventListener('push', (event: PushEventLike) => extend(event, show(event.data?.text())));
worker.addEventListener('notificationclick', (event: NotificationEventLike) => {
  event.notification.close();
  extend(event, openConversation(event.notification.data));
});
