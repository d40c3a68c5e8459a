import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { AuthResult } from '@parley/protocol';
import { TEST_PASSWORD } from '@parley/testing';
import { watchPage } from './browser';

export const SCREENSHOT_DIR = path.resolve(__dirname, '../../../tmp/screenshots');
const UI_TIMEOUT_MS = 10_000;
/**
 * The first screen of a fresh browser context: it loads the whole bundle,
 * which on a 2-core CI host can take longer than a click while another
 * suite starts its cluster beside it.
 */
const FIRST_SCREEN_TIMEOUT_MS = 30_000;

/** One person using the web client in their own browser context, driven the way they would click. */
export class ChatPage {
  readonly seen: { errors: string[]; dialogs: string[] };

  private constructor(
    readonly page: Page,
    readonly username: string,
  ) {
    this.seen = watchPage(page);
    page.setDefaultTimeout(UI_TIMEOUT_MS);
  }

  static async open(context: BrowserContext, url: string, username: string): Promise<ChatPage> {
    const page = await context.newPage();
    const chat = new ChatPage(page, username);
    await page.goto(url);
    return chat;
  }

  async register(displayName: string, password = TEST_PASSWORD): Promise<void> {
    const p = this.page;
    await p.getByRole('tab', { name: 'Create account' }).click({ timeout: FIRST_SCREEN_TIMEOUT_MS });
    await p.getByLabel('Username').fill(this.username);
    await p.getByLabel('Display name').fill(displayName);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('form', { name: 'Create account' }).getByRole('button', { name: 'Create account' }).click();
    await this.waitConnected();
  }

  async signIn(password: string): Promise<void> {
    const p = this.page;
    await p.getByRole('tab', { name: 'Sign in' }).click({ timeout: FIRST_SCREEN_TIMEOUT_MS });
    await p.getByLabel('Username').fill(this.username);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('form', { name: 'Sign in' }).getByRole('button', { name: 'Sign in' }).click();
  }

  /**
   * Signs this user in through REST, as another device would: the page keeps
   * its own token in memory only, so a test that needs a token makes its own session.
   */
  async otherDevice(gatewayUrl: string, password = TEST_PASSWORD): Promise<AuthResult> {
    const res = await fetch(`${gatewayUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: this.username, password }),
    });
    if (!res.ok) throw new Error(`sign-in of ${this.username} failed: ${res.status} ${await res.text()}`);
    return (await res.json()) as AuthResult;
  }

  async waitConnected(): Promise<void> {
    await this.page.locator('[data-testid=connection-button][data-state=connected]').waitFor();
  }

  /** The IM node this tab is on, as the connection details panel shows it. */
  async nodeId(): Promise<string> {
    await this.page.getByTestId('connection-button').click();
    const text = (await this.page.getByTestId('node-id').textContent())?.trim() ?? '';
    return text;
  }

  async closeDialog(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.getByRole('dialog').waitFor({ state: 'detached' });
  }

  async showContacts(): Promise<void> {
    await this.page.getByTestId('tab-contacts').click();
  }

  async showChats(): Promise<void> {
    await this.page.getByTestId('tab-chats').click();
  }

  async sendFriendRequest(username: string): Promise<void> {
    await this.showContacts();
    await this.page.getByTestId('user-search').fill(username);
    const row = this.page.locator(`[data-testid=search-result][data-username="${username}"]`);
    await row.getByRole('button', { name: 'Add friend' }).click();
    await row.getByText('Request sent').waitFor();
    await this.page.getByTestId('user-search').fill('');
  }

  async acceptFriendRequest(username: string): Promise<void> {
    await this.page.getByTestId('requests-badge').waitFor();
    await this.showContacts();
    const row = this.page.locator(`[data-testid=incoming-request][data-username="${username}"]`);
    await row.getByRole('button', { name: 'Accept' }).click();
    await this.friend(username).waitFor();
  }

  friend(username: string): Locator {
    return this.page.locator(`[data-testid=friend][data-username="${username}"]`);
  }

  async messageFriend(username: string): Promise<void> {
    await this.showContacts();
    await this.friend(username).getByRole('button', { name: 'Message' }).click();
  }

  conversation(title: string): Locator {
    return this.page.getByTestId('conversation').filter({ has: this.page.locator('.conv-name', { hasText: title }) });
  }

  async openConversation(title: string): Promise<void> {
    await this.showChats();
    await this.conversation(title).click();
    await this.page.getByTestId('chat-title').filter({ hasText: title }).waitFor();
  }

  composer(): Locator {
    return this.page.getByRole('textbox', { name: 'Message' });
  }

  /** Types and presses Enter; resolves once the server acked it (status no longer "sending"). */
  async send(text: string): Promise<void> {
    await this.composer().fill(text);
    await this.composer().press('Enter');
    await this.ownMessage(text).and(this.page.locator('[data-status=sent], [data-status=seen]')).waitFor();
  }

  messages(): Locator {
    return this.page.getByTestId('messages').getByTestId('message');
  }

  message(text: string): Locator {
    return this.messages().filter({ has: this.page.locator('.text', { hasText: text }) });
  }

  ownMessage(text: string): Locator {
    return this.page.locator('.msg.mine').filter({ has: this.page.locator('.text', { hasText: text }) });
  }

  async messageTexts(): Promise<string[]> {
    return this.page.getByTestId('messages').locator('[data-testid=message] .text').allTextContents();
  }

  async screenshot(name: string): Promise<void> {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await this.page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' });
  }
}
