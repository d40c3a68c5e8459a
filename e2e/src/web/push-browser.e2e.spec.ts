import type { BrowserContext } from 'playwright-core';
import { authResultSchema, directConversationId, pushPayloadSchema, type Message, type PushPayload } from '@parley/protocol';
import { PushServiceSimulator, TEST_PASSWORD, pushTestEnv, waitFor, type ReceivedPush, type SimulatedSubscription } from '@parley/testing';
import { TestUser, befriend } from '../support/test-user';
import { hasChromium } from './browser';
import { ChatPage } from './chat-page';
import { ServiceWorkerDriver } from './notifications-worker';
import { useWebCluster } from './web-cluster';

jest.setTimeout(120_000);

const describeWithChromium = hasChromium() || process.env.CI ? describe : describe.skip;

const PUSH_ENV = pushTestEnv(1_000);

/**
 * Web Push from the server to a real browser's service worker: Bob signs in
 * in Chromium, his session's push subscription is one of the local push
 * service (headless Chromium cannot reach a real one), he closes the tab;
 * what the push service receives and decrypts is what the browser would be
 * handed, so the test hands exactly that to Bob's service worker through the
 * DevTools protocol, and clicks the notification it shows.
 */
describeWithChromium('web push from the server to the browser', () => {
  let alice: TestUser;
  let bob: TestUser;
  let simulator: PushServiceSimulator;
  let bobContext: BrowserContext;
  const opened: ChatPage[] = [];
  const web = useWebCluster('web-push-browser', () => opened, 120_000, PUSH_ENV);

  beforeAll(async () => {
    simulator = await PushServiceSimulator.start();
    const gateway = web.cluster.gatewayUrl;
    [alice, bob] = await Promise.all([TestUser.register(gateway, 'alice'), TestUser.register(gateway, 'bob')]);
    await Promise.all([alice.connect(), bob.connect()]);
    await befriend(bob, alice);
  });

  afterAll(async () => {
    for (const u of [alice, bob]) u?.disconnect();
    await simulator?.close();
    // A correct sender never makes a request the push service refuses (bad VAPID JWT, bad encryption).
    expect(simulator?.rejected() ?? []).toEqual([]);
  });

  /** Bob's browser tab at the gateway (his browser profile keeps the sign-in cookie and the service worker). */
  async function openBobTab(): Promise<ChatPage> {
    const chat = await ChatPage.open(bobContext, web.cluster.gatewayUrl, bob.auth.user.username);
    opened.push(chat);
    return chat;
  }

  /** Stores `subscription` for the session of `token` (what the page does with its browser's subscription). */
  async function subscribe(token: string, subscription: SimulatedSubscription): Promise<void> {
    const res = await fetch(`${web.cluster.gatewayUrl}/api/push/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...subscription, expirationTime: null }),
    });
    expect(res.status).toBe(201);
  }

  const payloadOf = (push: ReceivedPush): PushPayload => pushPayloadSchema.parse(push.payload);
  const pushedIds = (device: SimulatedSubscription): string[] => simulator.pushes(device.endpoint).map((p) => payloadOf(p).messageId);
  const waitForPushOf = (device: SimulatedSubscription, message: Message): Promise<ReceivedPush> =>
    waitFor(
      `the push of ${message.id}`,
      () => simulator.pushes(device.endpoint).find((p) => payloadOf(p).messageId === message.id),
    );

  it('notifies Bob, away, of a direct message once and of nothing from a group he muted; the click opens the chat', async () => {
    const { group } = await alice.ok('group:create', { name: 'noisy', memberIds: [bob.id] });
    const noisy = `g:${group.id}`;
    await bob.ok('conversation:settings', { conversationId: noisy, notify: 'none' });
    bob.disconnect();

    // Bob signs in in his browser; notifications are not allowed yet, so the page subscribes nothing itself.
    bobContext = await web.browser.newContext();
    const first = await openBobTab();
    const login = first.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/auth/login' && r.request().method() === 'POST');
    await first.signIn(TEST_PASSWORD);
    const pageSession = authResultSchema.parse(await (await login).json());
    await first.waitConnected();
    const device = simulator.newSubscription({ applicationServerKey: PUSH_ENV.PARLEY_VAPID_PUBLIC_KEY });
    await subscribe(pageSession.token, device);

    // Bob closes the tab: no live connection, he is away at once.
    await first.page.close();
    await waitFor(
      'bob offline',
      async () => (await alice.ok('presence:query', { userIds: [bob.id] })).presence[0]?.online,
      (online) => online === false,
    );

    const direct = await alice.sendText({ type: 'user', id: bob.id }, 'are you coming tonight?');
    const push = await waitForPushOf(device, direct);
    const dm = directConversationId(alice.id, bob.id);
    expect(payloadOf(push)).toEqual({ type: 'message', conversationId: dm, messageId: direct.id, seq: direct.seq, mention: false, url: `/?c=${encodeURIComponent(dm)}` });
    expect(push.headers.urgency).toBe('high');

    // The muted group stays silent: a later direct message's push arrives alone after the first.
    await alice.sendText({ type: 'group', id: group.id }, 'lunch, anyone?');
    const marker = await alice.sendText({ type: 'user', id: bob.id }, 'marker');
    await waitForPushOf(device, marker);
    expect(pushedIds(device)).toEqual([direct.id, marker.id]);

    // Bob's browser, allowed to notify (the page then registers its service worker), gets the push the service received and shows it.
    await bobContext.grantPermissions(['notifications'], { origin: web.cluster.gatewayUrl });
    const tab = await openBobTab();
    await tab.waitConnected();
    const sw = await ServiceWorkerDriver.attach(bobContext, tab.page, web.cluster.gatewayUrl);
    try {
      await sw.push(push.payload);
      const shown = await waitFor('the notification', () => sw.notifications(), (n) => n.some((x) => x.tag === dm));
      expect(shown.filter((n) => n.tag === dm)).toEqual([
        // Previews are off: no name, no text.
        { title: 'New message', body: '', tag: dm, data: { url: `/?c=${encodeURIComponent(dm)}`, conversationId: dm } },
      ]);
      await expect(tab.page.getByTestId('chat-title').count()).resolves.toBe(0);

      await sw.click(dm);
      await tab.page.getByTestId('chat-title').filter({ hasText: alice.auth.user.displayName }).waitFor();
      await tab.page.getByText('are you coming tonight?').waitFor();
      await waitFor('the clicked notification closed', () => sw.notifications(), (n) => !n.some((x) => x.tag === dm));
      await tab.screenshot('61-push-notification-click');
    } finally {
      await sw.detach();
    }
  });
});
