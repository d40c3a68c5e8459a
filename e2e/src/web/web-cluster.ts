import { startCluster, type Cluster } from '@parley/testing';
import { launchBrowser, type TestBrowser } from './browser';
import { ensureWebBuild } from './build-web';
import type { ChatPage } from './chat-page';

/** The processes a web spec drives; set once its `beforeAll` has run. */
export interface WebCluster {
  cluster: Cluster;
  browser: TestBrowser;
}

/**
 * For the enclosing describe block: a gateway serving the built web client and
 * two IM nodes, with Chromium beside them, started before its tests and
 * stopped after; after each test, no page of `pages` may have shown a dialog
 * other than a confirm (script run from message content) or thrown.
 * `extraEnv` goes to the gateway and every node alike (e.g. VAPID keys).
 */
export function useWebCluster(name: string, pages: () => readonly ChatPage[], startTimeoutMs = 120_000, extraEnv: Record<string, string> = {}): WebCluster {
  const web = {} as WebCluster;
  beforeAll(async () => {
    const staticDir = ensureWebBuild();
    [web.cluster, web.browser] = await Promise.all([
      startCluster({ nodes: 2, name, gatewayEnv: { ...extraEnv, PARLEY_STATIC_DIR: staticDir }, nodeEnv: extraEnv }),
      launchBrowser(),
    ]);
  }, startTimeoutMs);

  afterAll(async () => {
    await web.browser?.close();
    await web.cluster?.stop();
  });

  afterEach(() => {
    for (const p of pages()) {
      expect(p.seen.dialogs.filter((d) => !d.startsWith('confirm'))).toEqual([]);
      expect(p.seen.errors).toEqual([]);
    }
  });
  return web;
}
