import type { BrowserContext, WebSocket } from 'playwright-core';
import { TEST_PASSWORD, startCluster, type Cluster } from '@parley/testing';
import { TestUser, uniqueName } from '../support/test-user';
import { hasChromium, launchBrowser, type TestBrowser } from './browser';
import { ensureWebBuild } from './build-web';
import { ChatPage } from './chat-page';

jest.setTimeout(60_000);

const NEW_PASSWORD = 'violet-harbor-lantern-77';
/** The shortest access-token life the gateway allows, so a token expires within one test. */
const TOKEN_TTL_S = 60;
/** Anything shaped like a JWT (the access token's form). */
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

const describeWithChromium = hasChromium() || process.env.CI ? describe : describe.skip;

describeWithChromium('web client sessions and account in headless Chromium (two devices of one person)', () => {
  let cluster: Cluster;
  let browser: TestBrowser;
  /** Pages the running test opened: each is checked for stray dialogs and page errors after it. */
  let opened: ChatPage[] = [];

  beforeAll(async () => {
    const staticDir = ensureWebBuild();
    [cluster, browser] = await Promise.all([
      startCluster({
        nodes: 2,
        name: 'web-account-e2e',
        gatewayEnv: { PARLEY_STATIC_DIR: staticDir, PARLEY_JWT_TTL_SECONDS: String(TOKEN_TTL_S) },
      }),
      launchBrowser(),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  afterEach(() => {
    const pages = opened;
    opened = [];
    for (const p of pages) {
      expect(p.seen.dialogs.filter((d) => !d.startsWith('confirm'))).toEqual([]);
      expect(p.seen.errors).toEqual([]);
    }
  });

  /** Opens the web client in `context` for `username`, watched by afterEach. */
  async function open(context: BrowserContext, username: string): Promise<ChatPage> {
    const page = await ChatPage.open(context, cluster.gatewayUrl, username);
    opened.push(page);
    return page;
  }

  /**
   * A person of the test's own (so that one test failing leaves the others
   * theirs): registered on a laptop, signed in on a phone, both connected.
   */
  async function twoDevices(name: string): Promise<{ laptop: ChatPage; laptopContext: BrowserContext; phone: ChatPage }> {
    const laptopContext = await browser.newContext();
    const laptop = await open(laptopContext, uniqueName(name));
    await laptop.register('Ann Archer');
    const phone = await open(await browser.newContext({ phone: true }), laptop.username);
    await phone.signIn(TEST_PASSWORD);
    await phone.waitConnected();
    return { laptop, laptopContext, phone };
  }

  /** Everything a script on the page can read: both storages and the cookies it may see. */
  const readableByScripts = (page: ChatPage) =>
    page.page.evaluate(() => ({
      storage: JSON.stringify({ ...localStorage, ...sessionStorage }),
      cookie: document.cookie,
      legacy: localStorage.getItem('parley.session'),
    }));

  it('keeps the session across a reload through an HttpOnly cookie, with no token where scripts can read it', async () => {
    const laptopContext = await browser.newContext();
    const laptop = await open(laptopContext, uniqueName('ann'));
    await laptop.register('Ann Archer');

    // A token an earlier version left in localStorage is removed on load.
    await laptop.page.evaluate(() => localStorage.setItem('parley.session', JSON.stringify({ token: 'eyJold.token.value', user: { id: 'x' } })));
    await laptop.page.reload();
    await laptop.waitConnected();
    await laptop.page.getByTestId('me-name').getByText('Ann Archer').waitFor();

    const seen = await readableByScripts(laptop);
    expect(seen.legacy).toBeNull();
    expect(seen.storage).not.toMatch(JWT);
    expect(seen.cookie).not.toContain('parley_refresh');
    const [refresh] = (await laptopContext.cookies()).filter((c) => c.name === 'parley_refresh');
    expect(refresh).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    // Two tabs of this browser restore at the same moment from the one cookie: each renewal rotates it, and a
    // rotated-away token sent again would end the session as stolen, so the tabs must take turns.
    const secondTab = await open(laptopContext, laptop.username);
    await secondTab.waitConnected();
    await Promise.all([laptop.page.reload(), secondTab.page.reload()]);
    await Promise.all([laptop.waitConnected(), secondTab.waitConnected()]);
    expect(secondTab.seen.errors).toEqual([]);
    await secondTab.page.close();
  });

  it('changing the password signs the other device out with the reason, while this one stays signed in and chats', async () => {
    const { laptop, phone } = await twoDevices('annpw');
    await laptop.page.getByTestId('profile-button').click();
    const account = laptop.page.getByTestId('account-settings');
    await account.getByRole('button', { name: 'Change password' }).click();
    const form = laptop.page.getByRole('form', { name: 'Change password' });
    const change = async (current: string, next: string) => {
      await form.getByLabel('Current password').fill(current);
      await form.getByLabel('New password', { exact: true }).fill(next);
      await form.getByLabel('Repeat new password').fill(next);
      await form.getByRole('button', { name: 'Change password' }).click();
    };

    // A wrong current password and a weak new one are refused, in words, and end nobody's session.
    await change('not-my-password', NEW_PASSWORD);
    await account.getByTestId('account-error').getByText('That is not your current password.').waitFor();
    await change(TEST_PASSWORD, 'password123');
    await account.getByTestId('account-error').getByText(/^Password is too (common|easy to guess)/).waitFor();
    await laptop.screenshot('20-change-password-refused');
    await phone.waitConnected();

    await change(TEST_PASSWORD, NEW_PASSWORD);
    await account.getByTestId('account-done').getByText('Password changed. Your other devices were signed out.').waitFor();
    await phone.page.getByTestId('auth-notice').getByText('You were signed out on this device because your password was changed.').waitFor();
    await phone.page.getByRole('form', { name: 'Sign in' }).waitFor();
    await phone.screenshot('21-signed-out-by-password-change-phone');
    await laptop.closeDialog();

    // The laptop goes on: still connected, it creates a group and its message is stored.
    await laptop.waitConnected();
    await laptop.page.getByTestId('new-group-button').click();
    const dialog = laptop.page.getByTestId('new-group-dialog');
    await dialog.getByLabel('Group name').fill('Notes to self');
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await laptop.page.getByTestId('chat-title').getByText('Notes to self').waitFor();
    await laptop.send('still signed in');

    // The old password no longer signs in; the new one does.
    await phone.signIn(TEST_PASSWORD);
    await phone.page.getByTestId('auth-error').getByText('Wrong username or password.').waitFor();
    await phone.signIn(NEW_PASSWORD);
    await phone.waitConnected();
  });

  it('"sign out" ends only this device; "sign out everywhere" ends both, and the old refresh cookie no longer restores anything', async () => {
    const { laptop, laptopContext, phone } = await twoDevices('annout');
    // Signing out on the phone leaves it signed out across a reload, and the laptop signed in.
    await phone.page.getByTestId('profile-button').click();
    await phone.page.getByTestId('account-settings').getByRole('button', { name: 'Sign out', exact: true }).click();
    await phone.page.getByRole('form', { name: 'Sign in' }).waitFor();
    await phone.page.reload();
    await phone.page.getByRole('form', { name: 'Sign in' }).waitFor();
    await laptop.page.getByTestId('new-group-button').click();
    const dialog = laptop.page.getByTestId('new-group-dialog');
    await dialog.getByLabel('Group name').fill('Notes to self');
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await laptop.page.getByTestId('chat-title').getByText('Notes to self').waitFor();
    await laptop.send('the laptop is still here');
    await phone.signIn(TEST_PASSWORD);
    await phone.waitConnected();

    const [cookie] = (await laptopContext.cookies()).filter((c) => c.name === 'parley_refresh');
    expect(cookie).toBeDefined();

    await laptop.page.getByTestId('profile-button').click();
    await laptop.page.getByTestId('account-settings').getByRole('button', { name: 'Sign out everywhere' }).click();
    await laptop.page.getByTestId('auth-notice').getByText('You signed out on every device.').waitFor();
    await phone.page.getByTestId('auth-notice').getByText('You were signed out on this device because you signed out everywhere.').waitFor();

    // A reload finds no session to restore.
    await laptop.page.reload();
    await laptop.page.getByRole('form', { name: 'Sign in' }).waitFor();
    await laptop.screenshot('22-signed-out-everywhere');

    // An attacker holding the refresh cookie from before gets nothing from it.
    const replay = await fetch(`${cluster.gatewayUrl}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `parley_refresh=${cookie?.value ?? ''}` },
      body: '{}',
    });
    expect(replay.status).toBe(401);

    // Signing in again works.
    await laptop.signIn(TEST_PASSWORD);
    await laptop.waitConnected();
  });

  it('deleting the account needs the password, warns, and signs every device out', async () => {
    const { laptop, phone } = await twoDevices('anndel');
    await laptop.page.getByTestId('profile-button').click();
    const account = laptop.page.getByTestId('account-settings');
    await account.getByRole('button', { name: 'Delete account…' }).click();
    const form = laptop.page.getByRole('form', { name: 'Delete account' });
    await form.getByText('It cannot be undone.').waitFor();
    await form.getByLabel('Your password, to confirm').fill('not-my-password');
    await form.getByRole('button', { name: 'Delete my account' }).click();
    await account.getByTestId('account-error').getByText('That is not your current password.').waitFor();
    await laptop.screenshot('23-delete-account-refused');
    await phone.waitConnected();

    await form.getByLabel('Your password, to confirm').fill(TEST_PASSWORD);
    await form.getByRole('button', { name: 'Delete my account' }).click();
    await laptop.page.getByTestId('auth-notice').getByText('Your account was deleted.').waitFor();
    await phone.page.getByTestId('auth-notice').getByText('Your account was deleted.').waitFor();
    await laptop.signIn(TEST_PASSWORD);
    await laptop.page.getByTestId('auth-error').getByText('Wrong username or password.').waitFor();
  });

  it('shows a group invitation from a stranger to accept, and tells an inviter who joins only on accepting', async () => {
    const carol = await open(await browser.newContext(), uniqueName('carol'));
    await carol.register('Carol Cho');
    const carolId = (await carol.otherDevice(cluster.gatewayUrl)).user.id;
    const dave = await TestUser.register(cluster.gatewayUrl, 'dave');
    await dave.connect();
    try {
      // Dave is no friend of Carol's: his group only invites her.
      const created = await dave.ok('group:create', { name: 'Book club', memberIds: [carolId] });
      expect(created.invitations.map((i) => i.inviteeId)).toEqual([carolId]);
      const before = await dave.ok('group:info', { groupId: created.group.id });
      expect(before.members.map((m) => m.user.id)).toEqual([dave.id]);

      // The invitation arrives live, counted on the Contacts tab.
      await carol.page.getByTestId('requests-badge').getByText('1').waitFor();
      await carol.showContacts();
      const invitation = carol.page.locator('[data-testid=group-invitation][data-group="Book club"]');
      await invitation.getByText(`${dave.auth.user.displayName} invited you`).waitFor();
      await carol.screenshot('24-group-invitation');
      await invitation.getByRole('button', { name: 'Join' }).click();
      await invitation.waitFor({ state: 'detached' });

      // Accepted: the group is in her chats and she talks in it.
      await carol.openConversation('Book club');
      await carol.send('Hello book club');
      await dave.waitForMessage((m) => m.body.text === 'Hello book club');

      // Carol asks Dave into a group of hers: he is invited, not added, and she is told so.
      await carol.page.getByTestId('new-group-button').click();
      const dialog = carol.page.getByTestId('new-group-dialog');
      await dialog.getByLabel('Group name').fill('Cooking');
      await dialog.getByLabel('Search people to add').fill(dave.auth.user.username);
      await dialog.locator(`[data-testid=pick-user][data-username="${dave.auth.user.username}"]`).click();
      await dialog.getByRole('button', { name: 'Create group' }).click();
      await carol.page.getByRole('status').getByText(`${dave.auth.user.displayName} will join when they accept.`).waitFor();
      const pending = await dave.ok('group:invitations', {});
      expect(pending.invitations.map((i) => i.group.name)).toEqual(['Cooking']);

      // Declining leaves Carol out of Dave's next group.
      const poker = await dave.ok('group:create', { name: 'Poker night', memberIds: [carolId] });
      await carol.showContacts();
      const next = carol.page.locator('[data-testid=group-invitation][data-group="Poker night"]');
      await next.getByRole('button', { name: 'Decline' }).click();
      await next.waitFor({ state: 'detached' });
      const after = await dave.ok('group:info', { groupId: poker.group.id });
      expect(after.members.map((m) => m.user.id)).toEqual([dave.id]);
      await carol.showChats();
      await carol.conversation('Book club').waitFor();
      await expect(carol.conversation('Poker night').count()).resolves.toBe(0);
    } finally {
      dave.disconnect();
    }
  });

  it(
    'renews the access token silently before it expires: the tab keeps chatting past the first token, and a reload still restores',
    async () => {
      const eve = await open(await browser.newContext(), uniqueName('eve'));
      // Every socket the page opens: a renewal keeps the one it has, a reconnect (a new token at a handshake) opens another.
      const sockets: WebSocket[] = [];
      eve.page.on('websocket', (ws) => sockets.push(ws));
      const signedInAt = Date.now();
      const renewed = eve.page.waitForResponse((res) => res.url().endsWith('/api/auth/refresh') && res.status() === 200, { timeout: TOKEN_TTL_S * 1000 });
      await eve.register('Eve Evans');
      await eve.page.getByTestId('new-group-button').click();
      const dialog = eve.page.getByTestId('new-group-dialog');
      await dialog.getByLabel('Group name').fill('Diary');
      await dialog.getByRole('button', { name: 'Create group' }).click();
      await eve.page.getByTestId('chat-title').getByText('Diary').waitFor();
      expect(sockets).toHaveLength(1);
      const [socket] = sockets;

      // The tab renews through the refresh cookie before the first token runs out...
      await renewed;
      // ...and goes on past that token's expiry (what is awaited here is the clock itself): a socket still on it would have been ended.
      await eve.page.waitForTimeout(Math.max(0, signedInAt + TOKEN_TTL_S * 1000 - Date.now()) + 2_000);
      await eve.waitConnected();
      await eve.send('written after the first token expired');
      expect(eve.seen.errors).toEqual([]);
      // On the same socket all along: renewed in place (auth:renew), not ended and replaced by a reconnect.
      expect(sockets).toHaveLength(1);
      expect(socket?.isClosed()).toBe(false);

      await eve.page.reload();
      await eve.waitConnected();
      await eve.openConversation('Diary');
      await eve.message('written after the first token expired').waitFor();
    },
    TOKEN_TTL_S * 1000 + 60_000,
  );
});
