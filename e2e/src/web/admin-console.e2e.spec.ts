import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { AuthResult, SessionEndReason } from '@parley/protocol';
import { TEST_PASSWORD, at, startCluster, type Cluster } from '@parley/testing';
import { listOperators } from '../support/operators';
import { TestUser, befriend, uniqueName } from '../support/test-user';
import { hasChromium, launchBrowser, type TestBrowser } from './browser';
import { ensureWebBuild } from './build-web';
import { ChatPage, SCREENSHOT_DIR } from './chat-page';

jest.setTimeout(150_000);

/** The operator: registered, then named in PARLEY_ADMIN_USERS. */
const ADMIN = `ops_${process.pid % 100_000}`;
/** A wide screen, as an operator's: the whole fleet table fits. */
const CONSOLE_VIEWPORT = { width: 1440, height: 900 };
/** Each sender's pace: 4 messages a second, well under the per-user send quota (600 a minute). */
const SEND_EVERY_MS = 250;

const describeWithChromium = hasChromium() || process.env.CI ? describe : describe.skip;

async function register(gatewayUrl: string, username: string): Promise<AuthResult> {
  const res = await fetch(`${gatewayUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: TEST_PASSWORD }),
  });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${await res.text()}`);
  return (await res.json()) as AuthResult;
}

async function login(gatewayUrl: string, username: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${gatewayUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: TEST_PASSWORD }),
  });
  const body = (await res.json()) as { code?: string };
  return { status: res.status, code: body.code };
}

/** SDK-side senders: each sends to its friend on the other node every SEND_EVERY_MS until stopped. */
function startLoad(pairs: readonly [TestUser, TestUser][]): { sent: () => number; stop: () => Promise<void> } {
  let running = true;
  let sent = 0;
  const loops = pairs.map(async ([from, to]) => {
    while (running) {
      const started = Date.now();
      await from.sendText({ type: 'user', id: to.id }, `load ${sent}`);
      sent++;
      // Pacing a load generator, not waiting for a condition: the next send leaves SEND_EVERY_MS after this one did.
      await new Promise((r) => setTimeout(r, Math.max(0, SEND_EVERY_MS - (Date.now() - started))));
    }
  });
  return {
    sent: () => sent,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function fullScreenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // From the top: the sticky header then sits where it belongs in the full-page picture.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
}

describeWithChromium('ops console at /admin in headless Chromium, on a real cluster (gateway, 2 IM nodes, MariaDB)', () => {
  let cluster: Cluster;
  let browser: TestBrowser;
  let admin: AuthResult;
  const sdkUsers: TestUser[] = [];
  /** The node index each SDK user's socket is on. */
  const placed = new Map<TestUser, number>();
  const opened: ChatPage[] = [];

  beforeAll(async () => {
    const staticDir = ensureWebBuild();
    const gatewayEnv: Record<string, string> = { PARLEY_STATIC_DIR: staticDir };
    [cluster, browser] = await Promise.all([startCluster({ nodes: 2, name: 'web-admin-e2e', gatewayEnv }), launchBrowser()]);
    // Registered first, then listed (a listed name is reserved).
    admin = await register(cluster.gatewayUrl, ADMIN);
    await listOperators(cluster, gatewayEnv, [ADMIN], admin.token);
  }, 120_000);

  afterAll(async () => {
    for (const u of sdkUsers) u.disconnect();
    await browser?.close();
    await cluster?.stop();
  });

  /** Browser contexts the running test opened: closed after it, pass or fail, so no socket of one test counts in the next. */
  const contexts: BrowserContext[] = [];

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    for (const p of opened.splice(0)) {
      expect(p.seen.dialogs).toEqual([]);
      expect(p.seen.errors).toEqual([]);
    }
  });

  /** A fresh browser profile: a laptop's, a phone's, or an operator's wide screen. */
  async function newContext(kind: 'laptop' | 'phone' | 'console' = 'laptop'): Promise<BrowserContext> {
    const context = kind === 'console' ? await browser.browser.newContext({ viewport: CONSOLE_VIEWPORT }) : await browser.newContext({ phone: kind === 'phone' });
    contexts.push(context);
    return context;
  }

  async function open(context: BrowserContext, url: string, username: string): Promise<ChatPage> {
    const page = await ChatPage.open(context, url, username);
    opened.push(page);
    return page;
  }

  /** A user of the SDK's test client, connected to the given node. */
  async function sdkUser(prefix: string, nodeIndex: number): Promise<TestUser> {
    const user = await TestUser.register(cluster.gatewayUrl, prefix);
    await user.connect(at(cluster.nodes, nodeIndex, 'node').url);
    sdkUsers.push(user);
    placed.set(user, nodeIndex);
    return user;
  }

  it('refuses a signed-out visitor and a normal user, and the chat page never loads the console', async () => {
    const context = await newContext();
    const chatRequests: string[] = [];
    const chat = await open(context, cluster.gatewayUrl, uniqueName('norm'));
    chat.page.on('request', (r) => chatRequests.push(r.url()));
    // The chat page asks the admin API once whether this user is an operator (/access, never a refused admin route): no, and no link shows.
    const asked = chat.page.waitForResponse((r) => r.url().endsWith('/api/admin/access'));
    await chat.register('Norma Normal');
    const answer = await asked;
    expect({ status: answer.status(), body: await answer.json() }).toEqual({ status: 200, body: { admin: false } });
    await chat.page.getByTestId('profile-button').click();
    await chat.page.getByTestId('profile-dialog').waitFor();
    expect(await chat.page.getByTestId('admin-link').count()).toBe(0);
    await chat.closeDialog();
    expect(chatRequests.filter((u) => /admin-app|uplot|\/api\/admin\/(?!access)/i.test(u))).toEqual([]);

    // Signed out: /admin asks for an operator's sign-in.
    const visitor = await open(await newContext(), `${cluster.gatewayUrl}/admin`, chat.username);
    await visitor.page.getByTestId('auth-notice').getByText('Sign in with an operator account to open the ops console.').waitFor();
    // A normal user signs in there: the API refuses, and the page says so in words.
    await visitor.signIn(TEST_PASSWORD);
    const refused = visitor.page.getByTestId('admin-refused');
    await refused.getByRole('heading', { name: 'Not an operator' }).waitFor();
    await refused.getByText(`You are signed in as @${chat.username}, which is not an operator account.`, { exact: false }).waitFor();
    expect(await visitor.page.getByTestId('ops-console').count()).toBe(0);
    await visitor.screenshot('40-admin-refused');
  });

  it('shows the fleet live under load, and an operator disconnects, suspends, posts a notice and drains a node', async () => {
    // Traffic across the nodes: two pairs of friends, one of each pair on each node; and an idle user to suspend.
    const [a1, b1, a2, b2, dave] = [await sdkUser('a1', 0), await sdkUser('b1', 1), await sdkUser('a2', 0), await sdkUser('b2', 1), await sdkUser('dave', 1)];
    await befriend(a1, b1);
    await befriend(b2, a2);

    // A normal user in a browser: the one disconnected, and who sees the notice.
    const carol = await open(await newContext(), cluster.gatewayUrl, uniqueName('carol'));
    await carol.register('Carol Chat');
    const carolNode = await carol.nodeId();
    await carol.closeDialog();

    // The operator signs in to the chat, follows the profile dialog's link to the console (a page of its own).
    const opsContext = await newContext('console');
    const ops = await open(opsContext, cluster.gatewayUrl, ADMIN);
    await ops.signIn(TEST_PASSWORD);
    await ops.waitConnected();
    await ops.page.getByTestId('profile-button').click();
    await ops.page.getByTestId('admin-link').click();
    const page = ops.page;
    await page.waitForURL(/\/admin$/);
    await page.getByTestId('ops-console').waitFor();

    // Both nodes ready, with the sockets this test holds open on each (the operator's own chat socket left with the chat page).
    const expected = [0, 1].map((i) => {
      const nodeId = at(cluster.nodes, i, 'node').nodeId;
      return { nodeId, sockets: [...placed.values()].filter((n) => n === i).length + (carolNode === nodeId ? 1 : 0) };
    });
    expect(expected.reduce((n, e) => n + e.sockets, 0)).toBe(6);
    for (const { nodeId, sockets } of expected) {
      const row = page.locator(`[data-testid=fleet-node][data-node="${nodeId}"]`);
      await row.and(page.locator('[data-health=ready]')).waitFor();
      await row.getByTestId('node-health').getByText('Ready').waitFor();
      await row
        .getByTestId('node-sockets')
        .getByText(String(sockets), { exact: true })
        .waitFor({ timeout: 15_000 })
        .catch(async (err: unknown) => {
          throw new Error(`${nodeId} should show ${sockets} sockets; the table says:\n${await page.getByTestId('fleet-nodes').innerText()}`, { cause: err });
        });
    }
    await page.getByTestId('summary-ready').getByText('2 / 2').waitFor();
    await page.getByTestId('fleet-gateways').getByText(cluster.gateway.gatewayId).waitFor();
    // Polls may land on any gateway behind the load balancer: the header names the one that answered.
    await page.getByTestId('summary-gateway').getByText(cluster.gateway.gatewayId, { exact: true }).waitFor();

    // Under load, the messages chart leaves zero and the table shows a rate on both nodes' senders.
    const load = startLoad([
      [a1, b1],
      [b2, a2],
    ]);
    try {
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=chart-messages]')?.getAttribute('data-last-max') ?? 0) > 0, undefined, { timeout: 20_000 });
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=chart-relay]')?.getAttribute('data-last-max') ?? 0) > 0, undefined, { timeout: 20_000 });
      for (const nodeId of expected.map((e) => e.nodeId)) {
        await page
          .locator(`[data-testid=fleet-node][data-node="${nodeId}"] [data-testid=node-msgs]`)
          .filter({ hasNotText: /^(—|0)$/ })
          .waitFor({ timeout: 20_000 });
      }
      // Each chart is a drawn uPlot canvas, not an empty box.
      for (const chart of ['chart-connections', 'chart-messages', 'chart-relay']) expect(await page.getByTestId(chart).locator('canvas').count()).toBe(1);
      // A few more polls, so the lines have a length worth looking at.
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=chart-messages]')?.getAttribute('data-points') ?? 0) >= 8, undefined, { timeout: 30_000 });
      await fullScreenshot(page, '41-admin-console-under-load');
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, '42-admin-console-under-load-top.png'), animations: 'disabled' });
    } finally {
      await load.stop();
    }
    expect(load.sent()).toBeGreaterThan(0);

    // Post a notice: it shows as a banner on Carol's chat page, in the warning style, as text (markup in it stays text), and can be dismissed.
    const noticeText = `Maintenance at 22:00 UTC <img src=x onerror="window.pwned=1"> (${uniqueName('n')})`;
    const form = page.getByTestId('notice-form');
    await form.getByLabel('Text').fill(noticeText);
    await form.getByLabel('Warning').check();
    await form.getByRole('button', { name: 'Post notice…' }).click();
    const confirm = page.getByTestId('confirm-dialog');
    await confirm.getByText(noticeText, { exact: false }).waitFor();
    await confirm.getByTestId('confirm-button').click();
    await page.getByTestId('action-outcome').getByText('Notice posted to 2 nodes: everyone online sees it.').waitFor();
    await form.getByLabel('Text').and(page.locator(':placeholder-shown')).waitFor();
    const banner = carol.page.getByTestId('system-notice').filter({ hasText: noticeText });
    await banner.and(carol.page.locator('[data-level=warning]')).waitFor();
    expect(await banner.locator('img').count()).toBe(0);
    expect(await carol.page.evaluate(() => 'pwned' in window)).toBe(false);
    await carol.screenshot('43-system-notice-banner');
    await banner.getByRole('button', { name: 'Dismiss notice' }).click();
    await banner.waitFor({ state: 'detached' });

    // Disconnect Carol: her page signs out at once, saying an operator did it.
    const users = page.getByTestId('user-admin');
    await users.getByTestId('admin-user-search').fill(carol.username);
    const carolRow = users.locator(`[data-testid=admin-user][data-username="${carol.username}"]`);
    await carolRow.getByRole('button', { name: 'Disconnect' }).click();
    await confirm.getByText(`Every session of @${carol.username} ends at once`, { exact: false }).waitFor();
    await confirm.getByTestId('confirm-button').click();
    await page.getByTestId('action-outcome').getByText(`Disconnected @${carol.username}: 1 session ended.`).waitFor();
    await carol.page.getByTestId('auth-notice').getByText('An operator of this server disconnected you. You can sign in again.').waitFor();
    await carol.page.getByRole('form', { name: 'Sign in' }).waitFor();

    // Suspend Dave (an SDK client): his socket hears `suspended`, sign-in is refused until the suspension is lifted.
    const ended = new Promise<SessionEndReason>((resolve) => dave.socket?.once('session:ended', ({ reason }) => resolve(reason)));
    await users.getByTestId('admin-user-search').fill(dave.auth.user.username);
    const daveRow = users.locator(`[data-testid=admin-user][data-username="${dave.auth.user.username}"]`);
    await daveRow.getByRole('button', { name: 'Suspend' }).click();
    await confirm.getByLabel(/Reason/).fill('spam from the e2e test');
    await confirm.getByTestId('confirm-button').click();
    await page.getByTestId('action-outcome').getByText(`Suspended @${dave.auth.user.username}: 1 session ended; sign-in is refused until lifted.`).waitFor();
    expect(await ended).toBe('suspended');
    await daveRow.and(page.locator('[data-suspended=true]')).waitFor();
    expect(await login(cluster.gatewayUrl, dave.auth.user.username)).toEqual({ status: 403, code: 'ACCOUNT_SUSPENDED' });
    // The sign-in form (Carol's signed-out page) says so in words when Dave tries.
    const signIn = carol.page.getByRole('form', { name: 'Sign in' });
    await signIn.getByLabel('Username').fill(dave.auth.user.username);
    await signIn.getByLabel('Password').fill(TEST_PASSWORD);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await carol.page
      .getByTestId('auth-error')
      .getByText('This account is suspended by an operator of this server. You cannot sign in until the suspension is lifted.')
      .waitFor();
    await daveRow.getByRole('button', { name: 'Unsuspend' }).click();
    await confirm.getByTestId('confirm-button').click();
    await page.getByTestId('action-outcome').getByText(`@${dave.auth.user.username} is no longer suspended and may sign in again.`).waitFor();
    expect((await login(cluster.gatewayUrl, dave.auth.user.username)).status).toBe(200);

    // Drain the second node: the table shows it draining.
    const drained = at(cluster.nodes, 1, 'node').nodeId;
    const drainedRow = page.locator(`[data-testid=fleet-node][data-node="${drained}"]`);
    await drainedRow.getByRole('button', { name: `Drain ${drained}` }).click();
    await confirm.getByText(`${drained} leaves discovery`, { exact: false }).waitFor();
    await confirm.getByTestId('confirm-button').click();
    await page.getByTestId('action-outcome').getByText(`Node ${drained} is draining: its users move to the other nodes.`).waitFor();
    await drainedRow.and(page.locator('[data-health=draining]')).waitFor({ timeout: 10_000 });
    await drainedRow.getByTestId('node-health').getByText('Draining').waitFor();
    await fullScreenshot(page, '44-admin-console-draining');

    // Every action is in the audit log, newest first, by this operator.
    const audit = page.getByTestId('audit-log');
    const actions = await audit.getByTestId('audit-entry').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(actions.slice(0, 5)).toEqual(['node:drain', 'user:unsuspend', 'user:suspend', 'user:disconnect', 'notice:post']);
    await audit.getByText(`@${admin.user.username}`).first().waitFor();

    // The drained node exits: once its report stops moving, its row shows no rate rather than its last one.
    await drainedRow.and(page.locator('[data-silent=true]')).waitFor({ timeout: 30_000 });
    await drainedRow.getByTestId('node-msgs').getByText('—', { exact: true }).waitFor();

    // On a phone the operator signs in at /admin directly; the console fits the narrow screen (the tables scroll sideways).
    const phone = await open(await newContext('phone'), `${cluster.gatewayUrl}/admin`, ADMIN);
    await phone.signIn(TEST_PASSWORD);
    await phone.page.getByTestId('ops-console').waitFor();
    await phone.page.locator(`[data-testid=fleet-node][data-node="${drained}"]`).waitFor();
    await phone.page.getByTestId('audit-entry').first().waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await fullScreenshot(phone.page, '45-admin-console-phone');
  });
});
