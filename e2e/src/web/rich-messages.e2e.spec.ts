import fs from 'node:fs';
import type { Locator } from 'playwright-core';
import sharp from 'sharp';
import { io } from 'socket.io-client';
import type { AuthResult } from '@parley/protocol';
import { at } from '@parley/testing';
import { uniqueName } from '../support/test-user';
import { hasChromium } from './browser';
import { ChatPage } from './chat-page';
import { useWebCluster } from './web-cluster';

jest.setTimeout(90_000);

/** Messages written after the one searched for: more than a history page (30), so opening it must load history around it. */
const AFTER_TARGET = 45;

const describeWithChromium = hasChromium() || process.env.CI ? describe : describe.skip;

describeWithChromium('web client: images, files, replies, mentions, reactions, edit, recall, delete, search (Chromium, gateway + 2 IM nodes)', () => {
  let alice: ChatPage;
  let bob: ChatPage;
  const pages = (): ChatPage[] => [alice, bob].filter(Boolean);
  // Attachments on the fs engine: the harness gives the gateway and the nodes one blob directory.
  const web = useWebCluster('web-rich', pages);

  beforeAll(async () => {
    alice = await ChatPage.open(await web.browser.newContext(), web.cluster.gatewayUrl, uniqueName('alice'));
    await alice.register('Alice Archer');
    bob = await ChatPage.open(await web.browser.newContext(), web.cluster.gatewayUrl, uniqueName('bob'));
    await bob.register('Bob Baker');
    await alice.sendFriendRequest(bob.username);
    await bob.acceptFriendRequest(alice.username);
    await alice.messageFriend(bob.username);
    await alice.send('Hello Bob, files incoming');
    await bob.showChats();
    await bob.openConversation('Alice Archer');
    await bob.message('Hello Bob, files incoming').waitFor();
  }, 120_000);

  /** Opens a message's menu and picks an action. */
  async function menu(message: Locator, action: string): Promise<void> {
    await message.hover();
    await message.getByTestId('message-menu-button').click();
    await message.getByRole('menuitem', { name: action, exact: true }).click();
  }

  async function react(message: Locator, emoji: string): Promise<void> {
    await menu(message, 'React');
    await message.getByTestId('reaction-picker').getByRole('menuitem', { name: `React ${emoji}` }).click();
  }

  const image = (width: number, height: number): Promise<Buffer> =>
    sharp({ create: { width, height, channels: 3, background: { r: 220, g: 90, b: 60 } } })
      .png()
      .toBuffer();

  it('sends an image with the attach button: a progress bar, a thumbnail on both sides, a viewer that Escape closes', async () => {
    // A slow uplink, so the progress bar is there to see.
    const cdp = await alice.page.context().newCDPSession(alice.page);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
    const big = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
      .png()
      .toBuffer();
    await alice.page.getByTestId('file-input').setInputFiles({ name: 'noise.png', mimeType: 'image/png', buffer: big });
    await alice.page.getByTestId('upload-progress').waitFor();
    await alice.page.waitForFunction(() => (document.querySelector<HTMLProgressElement>('[data-testid=upload-progress]')?.value ?? 0) >= 30);
    await alice.screenshot('50-upload-progress');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();
    await alice.page.getByTestId('upload').waitFor({ state: 'detached', timeout: 30_000 });

    for (const p of [alice, bob]) {
      const thumb = p.messages().and(p.page.locator('[data-kind=image]')).last().getByTestId('image-thumb').locator('img');
      await thumb.waitFor();
      await p.page.waitForFunction((img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0, await thumb.elementHandle());
      // The thumbnail, not the original: it fits in 320 px.
      await expect(thumb.evaluate((img) => (img as HTMLImageElement).naturalWidth)).resolves.toBeLessThanOrEqual(320);
    }
    await bob.screenshot('50-image-thumbnail');

    await bob.messages().and(bob.page.locator('[data-kind=image]')).last().getByTestId('image-thumb').click();
    const viewer = bob.page.getByTestId('lightbox');
    await viewer.getByTestId('lightbox-image').waitFor();
    await bob.page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-testid=lightbox-image]');
      return !!img && img.complete && img.naturalWidth === 1600;
    });
    await bob.screenshot('50-image-viewer');
    await bob.page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
  });

  it('sends an image pasted into the composer and one dropped on the chat', async () => {
    const before = await bob.messages().and(bob.page.locator('[data-kind=image]')).count();
    const bytes = [...(await image(300, 200))];
    await alice.composer().evaluate((el, data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], 'pasted.png', { type: 'image/png' }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, bytes);
    await alice.page.getByTestId('chat').evaluate((el, data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], 'dropped.png', { type: 'image/png' }));
      el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytes);
    await bob.page.waitForFunction((n) => document.querySelectorAll('[data-testid=message][data-kind=image]').length >= n + 2, before);
  });

  it('sends a file as a card with its name and size, and the other side downloads the same bytes', async () => {
    const text = 'Packing list\n- boots\n- water\n'.repeat(40);
    await alice.page.getByTestId('file-input').setInputFiles({ name: 'packing list.txt', mimeType: 'text/plain', buffer: Buffer.from(text) });
    const card = bob.messages().and(bob.page.locator('[data-kind=file]')).last().getByTestId('file-card');
    await card.getByTestId('file-name').getByText('packing list.txt').waitFor();
    await card.getByText('1 KB').waitFor();
    await bob.screenshot('50-file-card');
    const [download] = await Promise.all([bob.page.waitForEvent('download'), card.getByTestId('file-download').click()]);
    expect(download.suggestedFilename()).toBe('packing list.txt');
    expect(fs.readFileSync(await download.path(), 'utf8')).toBe(text);
  });

  it('replies with a quote above the composer and in the bubble; clicking the quote brings the message into view, highlighted', async () => {
    await alice.send('Which trail tomorrow?');
    const question = bob.message('Which trail tomorrow?');
    await question.waitFor();
    await menu(question, 'Reply');
    await bob.page.getByTestId('reply-preview').getByText('Which trail tomorrow?').waitFor();
    await bob.screenshot('50-reply-composing');
    // Cancel, then reply for real.
    await bob.page.getByTestId('cancel-reply').click();
    await bob.page.getByTestId('reply-preview').waitFor({ state: 'detached' });
    await menu(question, 'Reply');
    await bob.send('The ridge one');
    const reply = alice.message('The ridge one');
    await reply.getByTestId('quote').getByText('Which trail tomorrow?').waitFor();
    await reply.getByTestId('quote').click();
    await alice.message('Which trail tomorrow?').and(alice.page.locator('[data-highlighted=true]')).waitFor();
    await alice.screenshot('50-reply');
  });

  it('reacts with the picker; the chips toggle on click and say who reacted; a reaction is never unread', async () => {
    const target = alice.message('The ridge one');
    await react(target, '👍');
    const chip = bob.message('The ridge one').locator('[data-testid=reaction][data-emoji="👍"]');
    await chip.getByText('1').waitFor();
    await expect(chip.getAttribute('title')).resolves.toBe('Alice Archer');
    await chip.click();
    await alice.message('The ridge one').locator('[data-testid=reaction][data-emoji="👍"]').getByText('2').waitFor();
    await expect(alice.message('The ridge one').locator('[data-testid=reaction][data-emoji="👍"]').getAttribute('title')).resolves.toBe('You, Bob Baker');
    await alice.screenshot('50-reactions');
    await chip.click();
    await alice.message('The ridge one').locator('[data-testid=reaction][data-emoji="👍"]').getByText('1').waitFor();

    // Alice closes the chat (the phone layout's back button; hidden on a wide screen); Bob reacts to
    // her message, then writes: the badge counts the message only (pushes arrive in log order).
    await alice.page.locator('button.back').evaluate((el) => (el as HTMLButtonElement).click());
    await alice.page.getByTestId('chat-title').waitFor({ state: 'detached' });
    await react(bob.message('Which trail tomorrow?'), '🎉');
    await bob.message('Which trail tomorrow?').locator('[data-testid=reaction][data-emoji="🎉"]').waitFor();
    await bob.send('ping');
    await alice.conversation('Bob Baker').getByTestId('unread-badge').getByText('1', { exact: true }).waitFor();
    await alice.openConversation('Bob Baker');
    await alice.message('Which trail tomorrow?').locator('[data-testid=reaction][data-emoji="🎉"]').waitFor();
  });

  it('edits a message in place: the other side sees the new text marked "edited"', async () => {
    await alice.send('Meet at 8');
    await bob.message('Meet at 8').waitFor();
    await menu(alice.ownMessage('Meet at 8'), 'Edit');
    const editor = alice.page.getByTestId('inline-editor').getByRole('textbox', { name: 'Edit message' });
    await editor.fill('Meet at 7:30');
    await editor.press('Enter');
    const edited = bob.message('Meet at 7:30');
    await edited.getByTestId('edited').waitFor();
    await alice.ownMessage('Meet at 7:30').getByTestId('edited').waitFor();
    await bob.screenshot('50-edit');
  });

  it('recalls a message: a tombstone on both sides, and the reply quoting it shows it recalled', async () => {
    await alice.send('Oops, wrong chat');
    await bob.message('Oops, wrong chat').waitFor();
    await menu(bob.message('Oops, wrong chat'), 'Reply');
    await bob.send('What was that?');
    await alice.message('What was that?').getByTestId('quote').getByText('Oops, wrong chat').waitFor();
    // Bob may not recall Alice's message in a direct chat: the menu does not offer it.
    await bob.message('Oops, wrong chat').hover();
    await bob.message('Oops, wrong chat').getByTestId('message-menu-button').click();
    await expect(bob.message('Oops, wrong chat').getByRole('menuitem', { name: 'Recall' }).count()).resolves.toBe(0);
    await bob.page.keyboard.press('Escape');

    await menu(alice.ownMessage('Oops, wrong chat'), 'Recall');
    await bob.page.getByTestId('recalled').getByText('Message recalled').waitFor();
    await alice.page.getByTestId('recalled').getByText('Message recalled').waitFor();
    await bob.message('What was that?').getByTestId('quote').getByText('Message recalled').waitFor();
    await expect(bob.messageTexts()).resolves.not.toContain('Oops, wrong chat');
    await bob.screenshot('50-recall');
  });

  it('deletes a message for me only: gone for Bob, still there for Alice', async () => {
    await alice.send('Only for a moment');
    await bob.message('Only for a moment').waitFor();
    await menu(bob.message('Only for a moment'), 'Delete for me');
    await bob.message('Only for a moment').waitFor({ state: 'detached' });
    await bob.screenshot('50-delete-for-me');
    // After a reload too.
    await bob.page.reload();
    await bob.waitConnected();
    await bob.openConversation('Alice Archer');
    await bob.message('Meet at 7:30').waitFor();
    await expect(bob.message('Only for a moment').count()).resolves.toBe(0);
    await expect(alice.message('Only for a moment').count()).resolves.toBe(1);
  });

  it('suggests group members after "@" (keyboard to pick; @all only for the owner), and marks the chat list with "@" for the one mentioned', async () => {
    await alice.page.getByTestId('new-group-button').click();
    const dialog = alice.page.getByTestId('new-group-dialog');
    await dialog.getByLabel('Group name').fill('Trail crew');
    await dialog.locator(`[data-testid=pick-user][data-username="${bob.username}"]`).click();
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await alice.page.getByTestId('chat-title').getByText('Trail crew').waitFor();
    await alice.send('Crew, assemble');

    // Bob, a member: no @all.
    await bob.openConversation('Trail crew');
    await bob.composer().pressSequentially('@');
    const bobList = bob.page.getByTestId('mention-list');
    await bobList.getByText(`@Alice Archer`).waitFor();
    await expect(bobList.locator('[data-user-id="@all"]').count()).resolves.toBe(0);
    await bob.composer().press('Escape');
    await bobList.waitFor({ state: 'detached' });
    await bob.composer().fill('');
    // Bob leaves the group chat, so the mention arrives unread.
    await bob.openConversation('Alice Archer');

    await alice.composer().pressSequentially('Ready? @');
    const list = alice.page.getByTestId('mention-list');
    await list.locator('[data-user-id="@all"]').waitFor();
    await alice.composer().pressSequentially('Bo');
    await expect(list.getByTestId('mention-option').count()).resolves.toBe(1);
    await alice.screenshot('50-mention-autocomplete');
    await alice.composer().press('ArrowDown');
    await alice.composer().press('Enter');
    await expect(alice.composer().inputValue()).resolves.toBe('Ready? @Bob Baker ');
    await alice.composer().pressSequentially('bring the map');
    await alice.composer().press('Enter');
    await alice.ownMessage('Ready? @Bob Baker bring the map').and(alice.page.locator('[data-status=sent], [data-status=seen]')).waitFor();

    const crew = bob.conversation('Trail crew');
    await crew.getByTestId('mention-marker').waitFor();
    await bob.screenshot('50-mention-marker');
    await bob.openConversation('Trail crew');
    await bob.message('bring the map').locator('.bubble.mentions-me').waitFor();
    await expect(crew.getByTestId('mention-marker').count()).resolves.toBe(0);

    // In a group the owner may recall a member's message; a member may not recall the owner's.
    await bob.send('Off-topic rant');
    await alice.message('Off-topic rant').waitFor();
    await bob.message('bring the map').hover();
    await bob.message('bring the map').getByTestId('message-menu-button').click();
    await bob.message('bring the map').getByTestId('message-menu').waitFor();
    await expect(bob.message('bring the map').getByRole('menuitem', { name: 'Recall' }).count()).resolves.toBe(0);
    await bob.page.keyboard.press('Escape');
    await menu(alice.message('Off-topic rant'), 'Recall');
    await bob.message('Message recalled').waitFor();
    await alice.message('Message recalled').waitFor();
    await expect(bob.messageTexts()).resolves.not.toContain('Off-topic rant');
  });

  it('searches every chat, newest first with "Load more", and opens a result in context, loading history around it', async () => {
    await bob.openConversation('Alice Archer');
    await bob.send('The secret word is marmalade');
    // More than a history page after it, from Alice's other device.
    const session: AuthResult = await alice.otherDevice(web.cluster.gatewayUrl);
    const socket = io(at(web.cluster.nodes, 1, 'IM node').url, { auth: { token: session.token }, transports: ['websocket'], forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const bobId = (await bob.otherDevice(web.cluster.gatewayUrl)).user.id;
      for (let i = 1; i <= AFTER_TARGET; i++) {
        const ack = await socket.emitWithAck('message:send', { to: { type: 'user', id: bobId }, clientMsgId: `filler-${i}`, kind: 'text', body: { text: `filler note ${i}` } });
        expect(ack.ok).toBe(true);
      }
    } finally {
      socket.disconnect();
    }
    await alice.openConversation('Bob Baker');
    await alice.message(`filler note ${AFTER_TARGET}`).waitFor();
    // A fresh page holds only the newest history page once the chat opens: the old message is not in it.
    await alice.page.reload();
    await alice.waitConnected();

    await alice.page.getByTestId('search-messages-button').click();
    const panel = alice.page.getByTestId('search-panel');
    await panel.getByTestId('message-search').fill('filler note');
    const results = panel.getByTestId('message-result');
    await results.first().getByText(`filler note ${AFTER_TARGET}`).waitFor();
    await expect(results.count()).resolves.toBe(20);
    await panel.getByTestId('search-more').click();
    await alice.page.waitForFunction(() => document.querySelectorAll('[data-testid=message-result]').length === 40);
    await expect(results.nth(20).textContent()).resolves.toContain(`filler note ${AFTER_TARGET - 20}`);

    // Find the old message and open it where it was said.
    await alice.page.getByTestId('message-search').fill('MARMALADE');
    const hit = results.filter({ hasText: 'marmalade' });
    await hit.getByText('Bob Baker', { exact: false }).first().waitFor();
    await expect(results.count()).resolves.toBe(1);
    await alice.screenshot('50-search');
    await hit.click();
    const found = alice.message('The secret word is marmalade');
    await found.and(alice.page.locator('[data-highlighted=true]')).waitFor();
    await expect(found.isVisible()).resolves.toBe(true);
    const box = await found.boundingBox();
    const view = await alice.page.getByTestId('messages').boundingBox();
    expect(box && view && box.y >= view.y && box.y + box.height <= view.y + view.height).toBe(true);
    await alice.screenshot('50-search-in-context');
    // Back to the newest messages.
    await alice.page.getByTestId('jump-latest').click();
    await alice.message(`filler note ${AFTER_TARGET}`).waitFor();
  });
});
