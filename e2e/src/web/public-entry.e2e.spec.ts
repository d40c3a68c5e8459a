import { startCluster, type Cluster } from '@parley/testing';
import { startEntryProxy, type EntryProxy } from '../support/entry-proxy';
import { uniqueName } from '../support/test-user';
import { hasChromium, launchBrowser, type TestBrowser } from './browser';
import { ensureWebBuild } from './build-web';
import { ChatPage } from './chat-page';

jest.setTimeout(60_000);

// Debian's Chromium; in CI (.ci/run installs it) a missing browser fails instead of skipping.
const describeWithChromium = hasChromium() || process.env.CI ? describe : describe.skip;

describeWithChromium('web client through the one public entry (PARLEY_PUBLIC_ENTRY) in headless Chromium', () => {
  let cluster: Cluster | undefined;
  let entry: EntryProxy;
  let browser: TestBrowser;
  const pages: ChatPage[] = [];
  /** Every WebSocket the pages opened, by URL. */
  const sockets: string[] = [];
  const cspViolations: string[] = [];

  beforeAll(async () => {
    const staticDir = ensureWebBuild();
    entry = await startEntryProxy({
      nodeUrl: (nodeId) => cluster?.nodes.find((n) => n.nodeId === nodeId)?.url,
      gatewayUrl: () => cluster?.gatewayUrl,
    });
    [cluster, browser] = await Promise.all([
      startCluster({
        nodes: 2,
        name: 'web-entry-e2e',
        gatewayEnv: { PARLEY_STATIC_DIR: staticDir, PARLEY_PUBLIC_ENTRY: entry.url },
        // The page's origin is the entry's: the nodes see that Origin on every handshake.
        nodeEnv: { PARLEY_ALLOWED_ORIGINS: entry.url },
      }),
      launchBrowser(),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    await entry?.stop();
  });

  afterEach(() => {
    for (const p of pages) expect(p.seen.errors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  async function open(name: string): Promise<ChatPage> {
    const chat = await ChatPage.open(await browser.newContext(), entry.url, uniqueName(name));
    chat.page.on('websocket', (ws) => sockets.push(ws.url()));
    chat.page.on('console', (msg) => {
      if (msg.text().includes('Content Security Policy')) cspViolations.push(msg.text());
    });
    pages.push(chat);
    return chat;
  }

  it('signs in through the entry, connects on its node path there and sends a message the other user sees', async () => {
    const alice = await open('alice');
    await alice.register('Alice Entry');
    const bob = await open('bob');
    await bob.register('Bob Entry');

    // Each page's socket went to the entry, on the path of the node it was given.
    const nodeIds = [await alice.nodeId(), await bob.nodeId()];
    await alice.closeDialog();
    await bob.closeDialog();
    const socketPath = (nodeId: string) => `${entry.url.replace(/^http/, 'ws')}/n/${nodeId}/socket.io/`;
    for (const nodeId of nodeIds) expect(sockets.some((url) => url.startsWith(socketPath(nodeId)))).toBe(true);
    expect(sockets.every((url) => url.startsWith(`${entry.url.replace(/^http/, 'ws')}/n/`))).toBe(true);

    await alice.sendFriendRequest(bob.username);
    await bob.showContacts();
    await bob.acceptFriendRequest(alice.username);
    await alice.friend(bob.username).waitFor();
    await alice.messageFriend(bob.username);
    await alice.send('Hello through the one entry');
    await bob.showChats();
    await bob.openConversation('Alice Entry');
    await bob.message('Hello through the one entry').waitFor();
    await alice.screenshot('entry-01-chat');
  });
});
