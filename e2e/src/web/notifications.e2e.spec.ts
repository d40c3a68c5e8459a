import { directConversationId } from '@parley/protocol';
import { TEST_PASSWORD, waitFor } from '@parley/testing';
import { TestUser, befriend } from '../support/test-user';
import { hasChromium } from './browser';
import { ChatPage } from './chat-page';
import { ServiceWorkerDriver } from './notifications-worker';
import { useWebCluster } from './web-cluster';

jest.setTimeout(90_000);

const describeWithChromium = hasChromium() || process.env.CI ? describe : describe.skip;

/** The conversation rows' titles, top to bottom. */
async function listOrder(chat: ChatPage): Promise<string[]> {
  return chat.page.locator('[data-testid=conversation] .conv-name').allTextContents();
}

describeWithChromium('web client notifications, pins and languages in headless Chromium', () => {
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let tab: ChatPage;
  let otherDevice: ChatPage;
  let unasked: ChatPage;
  const pages = (): ChatPage[] => [tab, otherDevice, unasked].filter(Boolean);
  const web = useWebCluster('web-notifications', pages);
  const bobName = () => bob.auth.user.displayName;
  const carolName = () => carol.auth.user.displayName;

  /** Alice signed in in a browser profile of her own (a device), with notifications allowed for the site unless `ask`. */
  async function signInAlice(ask = false): Promise<ChatPage> {
    const context = await web.browser.newContext();
    if (!ask) await context.grantPermissions(['notifications'], { origin: web.cluster.gatewayUrl });
    const chat = await ChatPage.open(context, web.cluster.gatewayUrl, alice.auth.user.username);
    await chat.signIn(TEST_PASSWORD);
    await chat.waitConnected();
    return chat;
  }

  beforeAll(async () => {
    const gateway = web.cluster.gatewayUrl;
    [alice, bob, carol] = await Promise.all([TestUser.register(gateway, 'alice'), TestUser.register(gateway, 'bob'), TestUser.register(gateway, 'carol')]);
    await Promise.all([alice, bob, carol].map((u) => u.connect()));
    await befriend(bob, alice);
    await befriend(carol, alice);
    await bob.sendText({ type: 'user', id: alice.id }, 'hello from bob');
    await carol.sendText({ type: 'user', id: alice.id }, 'hello from carol');
  });

  afterAll(() => {
    for (const u of [alice, bob, carol]) u?.disconnect();
  });

  it('shows the unread total in the tab title, and none once read', async () => {
    tab = await signInAlice();
    await waitFor('the title with 2 unread', () => tab.page.title(), (t) => t === '(2) Parley');
    await tab.openConversation(bobName());
    await waitFor('the title with 1 unread', () => tab.page.title(), (t) => t === '(1) Parley');
    await tab.openConversation(carolName());
    await waitFor('the title with nothing unread', () => tab.page.title(), (t) => t === 'Parley');
  });

  it('switches the whole page to Chinese and back, remembering the choice across a reload', async () => {
    const p = tab.page;
    await p.getByTestId('profile-button').click();
    await p.getByTestId('language-zh').check();
    await p.getByRole('dialog', { name: '个人资料' }).waitFor();
    await p.getByText('谁可以给你发消息').waitFor();
    await tab.screenshot('60-language-zh-profile');
    await tab.closeDialog();
    await p.getByTestId('tab-chats').getByText('聊天').waitFor();
    await expect(p.getAttribute('html', 'lang')).resolves.toBe('zh-CN');
    await p.reload();
    await tab.waitConnected();
    await p.getByTestId('tab-contacts').getByText('联系人').waitFor();
    await p.getByPlaceholder('搜索聊天').waitFor();
    await tab.screenshot('60-language-zh');

    await p.getByTestId('profile-button').click();
    await p.getByTestId('language-en').check();
    await p.getByRole('dialog', { name: 'Your profile' }).waitFor();
    await tab.closeDialog();
    await p.getByTestId('tab-chats').getByText('Chats').waitFor();
    await tab.screenshot('60-language-en');
  });

  it('pins a chat to the top, and the pin reaches another device of the same user', async () => {
    otherDevice = await signInAlice();
    // Carol wrote last: her chat is on top on both devices.
    await waitFor('carol on top', () => listOrder(tab), (o) => o[0] === carolName() && o.length === 2);
    await waitFor('carol on top on the other device', () => listOrder(otherDevice), (o) => o[0] === carolName() && o.length === 2);

    const bobRow = tab.page.locator('li.conv-item', { has: tab.conversation(bobName()) });
    await bobRow.getByTestId('pin-toggle').click();
    await waitFor('bob pinned on top', () => listOrder(tab), (o) => o[0] === bobName());
    await expect(bobRow.getAttribute('data-pinned')).resolves.toBe('true');
    await tab.screenshot('60-pinned');
    await waitFor('bob on top on the other device', () => listOrder(otherDevice), (o) => o[0] === bobName());
    await otherDevice.page.locator('li.conv-item[data-pinned=true]', { has: otherDevice.conversation(bobName()) }).waitFor();
    await otherDevice.screenshot('60-pinned-other-device');

    // Unpinning on the other device puts the list back in activity order everywhere.
    await otherDevice.page.locator('li.conv-item', { has: otherDevice.conversation(bobName()) }).getByTestId('pin-toggle').click();
    await waitFor('carol back on top', () => listOrder(tab), (o) => o[0] === carolName());
    await bobRow.getByTestId('pin-toggle').click();
    await waitFor('bob pinned again', () => listOrder(otherDevice), (o) => o[0] === bobName());
  });

  it('mutes a chat for 8 hours from its details, on every device, and unmutes it', async () => {
    const p = tab.page;
    await tab.openConversation(bobName());
    await p.getByTestId('notification-settings-button').click();
    const dialog = p.getByTestId('notification-settings');
    await dialog.getByTestId('mute-state').getByText('Not muted').waitFor();
    await dialog.getByTestId('mute-mute8h').click();
    await dialog.getByTestId('mute-state').getByText('Muted until').waitFor();
    await dialog.getByTestId('notify-mentions').check();
    await tab.screenshot('60-mute-details');
    await tab.closeDialog();
    await p.locator('[data-testid=notification-settings-button][data-muted=true]').waitFor();
    await tab.conversation(bobName()).getByTestId('muted-marker').waitFor();
    await otherDevice.conversation(bobName()).getByTestId('muted-marker').waitFor();
    await expect(tab.conversation(carolName()).getByTestId('muted-marker').count()).resolves.toBe(0);

    // The server kept it: a fresh load shows it muted, mentions only.
    await otherDevice.page.reload();
    await otherDevice.waitConnected();
    await otherDevice.openConversation(bobName());
    await otherDevice.page.getByTestId('notification-settings-button').click();
    await otherDevice.page.getByTestId('notify-mentions').and(otherDevice.page.locator(':checked')).waitFor();
    await otherDevice.page.getByTestId('unmute').click();
    await otherDevice.page.getByTestId('mute-state').getByText('Not muted').waitFor();
    await otherDevice.closeDialog();
    await tab.page.locator('[data-testid=notification-settings-button][data-muted=false]').waitFor();
  });

  it('opens the conversation a ?c= link names', async () => {
    const carolChat = directConversationId(alice.id, carol.id);
    await tab.page.goto(`${web.cluster.gatewayUrl}/?c=${encodeURIComponent(carolChat)}`);
    await tab.waitConnected();
    await tab.page.getByTestId('chat-title').filter({ hasText: carolName() }).waitFor();
    // The link is used once: a reload does not reopen it.
    await waitFor('the address without ?c=', () => tab.page.url(), (u) => !u.includes('?c='));
    await tab.screenshot('60-linked-chat');
  });

  it('shows a pushed message as a notification from the service worker, and a click opens its chat', async () => {
    const origin = web.cluster.gatewayUrl;
    const sw = await ServiceWorkerDriver.attach(tab.page.context(), tab.page, origin);
    const carolChat = directConversationId(alice.id, carol.id);
    const bobChat = directConversationId(alice.id, bob.id);
    try {
      // No previews: a localized "New message" only.
      await sw.push({ type: 'message', conversationId: bobChat, messageId: 'm1', seq: 1, mention: false, url: `/?c=${encodeURIComponent(bobChat)}` });
      const [plain] = await waitFor('the plain notification', () => sw.notifications(), (n) => n.some((x) => x.tag === bobChat));
      expect(plain).toEqual({ title: 'New message', body: '', tag: bobChat, data: { url: `/?c=${encodeURIComponent(bobChat)}`, conversationId: bobChat } });

      // With previews: the sender and the text; a newer push of the same chat replaces the older (same tag).
      const payload = { type: 'message', conversationId: carolChat, messageId: 'm2', seq: 2, mention: false, url: `/?c=${encodeURIComponent(carolChat)}` };
      await sw.push({ ...payload, title: carolName(), text: 'first' });
      await sw.push({ ...payload, title: carolName(), text: 'are you there?' });
      const shown = await waitFor(
        'the preview notification',
        () => sw.notifications(),
        (n) => n.some((x) => x.tag === carolChat && x.body === 'are you there?'),
      );
      expect(shown.filter((n) => n.tag === carolChat)).toEqual([
        { title: carolName(), body: 'are you there?', tag: carolChat, data: { url: `/?c=${encodeURIComponent(carolChat)}`, conversationId: carolChat } },
      ]);

      // Looking at Bob's chat; the click on Carol's notification brings her chat up, and the notification goes.
      await tab.openConversation(bobName());
      await sw.click(carolChat);
      await tab.page.getByTestId('chat-title').filter({ hasText: carolName() }).waitFor();
      await waitFor('the clicked notification closed', () => sw.notifications(), (n) => !n.some((x) => x.tag === carolChat));
      await tab.screenshot('60-notification-click');

      // A payload that is not ours shows nothing; a lying URL cannot lead elsewhere.
      await sw.push({ type: 'message', conversationId: 'g:x', messageId: 'm3', seq: 3, mention: true, url: 'https://evil.example/' });
      const lying = await waitFor('the mention notification', () => sw.notifications(), (n) => n.some((x) => x.tag === 'g:x'));
      expect(lying.find((n) => n.tag === 'g:x')).toMatchObject({ title: 'New message', body: 'You were mentioned', data: { url: '/' } });
    } finally {
      await sw.detach();
    }
  });

  it('says "New message" in Chinese when the page was switched to Chinese', async () => {
    const p = tab.page;
    await p.getByTestId('profile-button').click();
    await p.getByTestId('language-zh').check();
    await tab.closeDialog();
    const sw = await ServiceWorkerDriver.attach(p.context(), p, web.cluster.gatewayUrl);
    try {
      await sw.push({ type: 'message', conversationId: 'd:zh', messageId: 'm4', seq: 4, mention: false, url: '/' });
      const shown = await waitFor('the Chinese notification', () => sw.notifications(), (n) => n.some((x) => x.tag === 'd:zh'));
      expect(shown.find((n) => n.tag === 'd:zh')?.title).toBe('新消息');
    } finally {
      await sw.detach();
      await p.getByTestId('profile-button').click();
      await p.getByTestId('language-en').check();
      await tab.closeDialog();
    }
  });

  it('offers notifications only after the first sent message, never on load, and "Not now" is remembered', async () => {
    unasked = await signInAlice(true);
    const p = unasked.page;
    await expect(p.evaluate(() => Notification.permission)).resolves.toBe('default');
    await unasked.openConversation(bobName());
    await expect(p.getByTestId('push-banner').count()).resolves.toBe(0);
    await unasked.send('a first message from this browser');
    await p.getByTestId('push-banner').getByText('Get notified when you are away?').waitFor();
    await unasked.screenshot('60-push-banner');
    await p.getByTestId('push-banner-dismiss').click();
    await p.getByTestId('push-banner').waitFor({ state: 'detached' });
    await p.reload();
    await unasked.waitConnected();
    await unasked.openConversation(bobName());
    await unasked.send('and a second one');
    await expect(p.getByTestId('push-banner').count()).resolves.toBe(0);
  });

  it('the profile toggle asks the server for its key, and says so when the server sends no pushes', async () => {
    // This cluster has no VAPID keys: the key answers 503, and the toggle stays off with a clear word.
    const p = tab.page;
    await p.getByTestId('profile-button').click();
    const toggle = p.getByTestId('push-toggle');
    // Enabled once the page knows what this browser supports (wait for it: never read the state once).
    await toggle.and(p.locator(':enabled')).waitFor();
    await toggle.click();
    await p.getByRole('alert').getByText('This server does not send notifications.').waitFor();
    await waitFor('the toggle back off', () => toggle.isChecked(), (on) => !on);
    await p.getByTestId('previews-toggle').check();
    await p.getByTestId('dnd-toggle').check();
    await expect(p.getByTestId('dnd-zone').textContent()).resolves.toContain(await p.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone));
    await tab.screenshot('60-profile-notifications');
    // The other device hears of the new settings.
    await otherDevice.page.getByTestId('profile-button').click();
    await otherDevice.page.getByTestId('dnd-toggle').and(otherDevice.page.locator(':checked')).waitFor();
    await otherDevice.page.getByTestId('previews-toggle').and(otherDevice.page.locator(':checked')).waitFor();
    await otherDevice.closeDialog();
    await tab.closeDialog();
  });
});
