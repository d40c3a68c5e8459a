import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium; never a downloaded browser. */
export const CHROMIUM_PATH = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

/** Flags that keep a headless Chromium quiet on a machine without outside network. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface TestBrowser {
  browser: Browser;
  /** A fresh profile: its own cookies and localStorage, like a separate person. */
  newContext(options?: { phone?: boolean }): Promise<BrowserContext>;
  close(): Promise<void>;
}

export function hasChromium(): boolean {
  return fs.existsSync(CHROMIUM_PATH);
}

export async function launchBrowser(): Promise<TestBrowser> {
  // launch() gives every run a fresh, temporary user-data-dir of its own (removed on close).
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS, timeout: 30_000 });
  return {
    browser,
    newContext: ({ phone } = {}) =>
      browser.newContext(
        phone
          ? { viewport: { width: 390, height: 780 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
          : { viewport: { width: 1180, height: 760 } },
      ),
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}

/** Collects page errors and dialogs so a test can assert that none happened. */
export function watchPage(page: Page): { errors: string[]; dialogs: string[] } {
  const seen = { errors: [] as string[], dialogs: [] as string[] };
  page.on('pageerror', (err) => seen.errors.push(err.message));
  page.on('dialog', (dialog) => {
    seen.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    // confirm() is how the app asks before removing or blocking: accept it; anything else is unexpected.
    void (dialog.type() === 'confirm' ? dialog.accept() : dialog.dismiss());
  });
  return seen;
}
