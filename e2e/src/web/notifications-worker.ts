import type { BrowserContext, CDPSession, Page, Worker } from 'playwright-core';
import { waitFor } from '@parley/testing';

/** A notification as `registration.getNotifications()` shows it. */
export interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  data: { url?: string; conversationId?: string } | null;
}

/**
 * The page's service worker, driven from the test: pushes delivered through
 * the DevTools protocol (as the browser's push service would deliver them),
 * its notifications read back, and a click on one replayed in the worker.
 */
export class ServiceWorkerDriver {
  private constructor(
    private readonly page: Page,
    private readonly cdp: CDPSession,
    private readonly registrationId: string,
    readonly worker: Worker,
  ) {}

  /** Waits for the page's worker (scope /) to be active and controlling nothing less than the origin. */
  static async attach(context: BrowserContext, page: Page, origin: string): Promise<ServiceWorkerDriver> {
    const scriptUrl = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL);
    if (scriptUrl !== `${origin}/sw.js`) throw new Error(`unexpected service worker ${scriptUrl}`);
    const cdp = await context.newCDPSession(page);
    const registrations = new Map<string, string>();
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: updated }) => {
      for (const r of updated) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
    });
    await cdp.send('ServiceWorker.enable');
    const registrationId = await waitFor('the service worker registration', () => registrations.get(`${origin}/`));
    const worker = await waitFor('the service worker in the context', () => context.serviceWorkers().find((w) => w.url() === `${origin}/sw.js`));
    return new ServiceWorkerDriver(page, cdp, registrationId, worker);
  }

  /** Delivers a push message with this (JSON) payload to the worker. */
  async push(payload: unknown): Promise<void> {
    await this.cdp.send('ServiceWorker.deliverPushMessage', {
      origin: new URL(this.page.url()).origin,
      registrationId: this.registrationId,
      data: JSON.stringify(payload),
    });
  }

  /** The notifications the worker's registration shows now. */
  notifications(): Promise<ShownNotification[]> {
    return this.page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      const shown = await registration.getNotifications();
      return shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as ShownNotification['data'] }));
    });
  }

  /**
   * Replays a click on the notification with this tag through the worker's
   * own `notificationclick` handler (headless Chromium has no notification
   * to click): the event the browser would dispatch, with the real notification.
   */
  async click(tag: string): Promise<void> {
    await this.worker.evaluate(async (wanted) => {
      type Scope = { registration: ServiceWorkerRegistration; dispatchEvent(e: Event): boolean };
      const scope = self as unknown as Scope;
      const [notification] = await scope.registration.getNotifications({ tag: wanted });
      if (!notification) throw new Error(`no notification tagged ${wanted}`);
      const NotificationEventCtor = (self as unknown as { NotificationEvent: new (type: string, init: { notification: Notification }) => Event }).NotificationEvent;
      scope.dispatchEvent(new NotificationEventCtor('notificationclick', { notification }));
    }, tag);
  }

  async detach(): Promise<void> {
    await this.cdp.detach().catch(() => undefined);
  }
}
