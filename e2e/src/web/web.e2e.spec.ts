import { io } from 'socket.io-client';
import { at } from '@parley/testing';
import { uniqueName } from '../support/test-user';
import { hasChromium } from './browser';
import { ChatPage } from './chat-page';
import { useWebCluster } from './web-cluster';

jest.setTimeout(60_000);

const XSS = '<img src=x onerror=alert(1)>';
/** More than one history page (the client fetches 30 at a time), so scrolling up must fetch. */
const BACKLOG = 40;

// The browser tests need Debian's Chromium (`apt-get install chromium`); .ci/run installs it, so in CI
// a missing browser fails the run instead of skipping it.
const describeWithChromium = hasChromium() || process.env.CI ? describe : describe.skip;

describeWithChromium('web client in headless Chromium against a real cluster (gateway + 2 IM nodes)', () => {
  let alice: ChatPage;
  let bob: ChatPage;
  let carol: ChatPage;
  const pages = (): ChatPage[] => [alice, bob, carol].filter(Boolean);
  // Nothing may run as script from message content, and the app must not throw (checked after each test).
  const web = useWebCluster('web-e2e', pages);

  it('registers with clear errors, and two users land on different IM nodes', async () => {
    alice = await ChatPage.open(await web.browser.newContext(), web.cluster.gatewayUrl, uniqueName('alice'));
    await alice.page.getByRole('heading', { name: 'Parley' }).waitFor();
    await alice.signIn('not-the-password');
    await alice.page.getByTestId('auth-error').getByText('Wrong username or password.').waitFor();
    await alice.screenshot('01-sign-in-error');
    await alice.register('Alice Archer');

    bob = await ChatPage.open(await web.browser.newContext(), web.cluster.gatewayUrl, uniqueName('bob'));
    await bob.register('Bob Baker');
    await alice.page.getByText('No conversations yet.').waitFor();

    const aliceNode = await alice.nodeId();
    await alice.screenshot('02-connection-details');
    await alice.closeDialog();
    // Round-robin assignment: consecutive connects go to different nodes; a reload asks again.
    let bobNode = await bob.nodeId();
    for (let i = 0; i < 3 && bobNode === aliceNode; i++) {
      await bob.page.reload();
      await bob.waitConnected();
      bobNode = await bob.nodeId();
    }
    await bob.closeDialog();
    expect(new Set([aliceNode, bobNode])).toEqual(new Set(['im-1', 'im-2']));
  });

  it('become friends through a request and its acceptance', async () => {
    await alice.sendFriendRequest(bob.username);
    await bob.showContacts();
    await bob.page.locator(`[data-testid=incoming-request][data-username="${alice.username}"]`).waitFor();
    await bob.screenshot('03-contacts-friend-request');
    await bob.acceptFriendRequest(alice.username);
    await alice.friend(bob.username).waitFor();
    await expect(alice.friend(bob.username).getAttribute('data-online')).resolves.toBe('true');
  });

  it('chat both ways across nodes with unread badge, typing, "seen" and safe text', async () => {
    await alice.messageFriend(bob.username);
    await alice.page.getByText('No messages yet.').waitFor();
    await alice.send('Hi Bob! 👋');

    // Bob sees the new conversation with an unread badge, opens it, reads it.
    await bob.showChats();
    await bob.conversation('Alice Archer').getByTestId('unread-badge').getByText('1').waitFor();
    await bob.openConversation('Alice Archer');
    await bob.message('Hi Bob! 👋').waitFor();
    // Reading it clears the badge (once the read cursor is applied: wait for it, never count once).
    await bob.conversation('Alice Archer').getByTestId('unread-badge').waitFor({ state: 'detached' });

    // Alice's message turns "seen" once Bob has read it.
    await alice.ownMessage('Hi Bob!').and(alice.page.locator('[data-status=seen]')).waitFor();
    await alice.page.getByTestId('seen').waitFor();

    // Bob types: Alice sees it; then he answers with a link.
    await bob.composer().pressSequentially('Hey Al');
    await alice.page.getByTestId('typing-indicator').getByText('Bob Baker is typing…').waitFor();
    await bob.composer().fill('');
    await bob.send('Hey Alice, look: https://example.com/parley?x=1.');
    await alice.message('Hey Alice, look').waitFor();
    const link = alice.message('Hey Alice, look').getByRole('link');
    await expect(link.getAttribute('href')).resolves.toBe('https://example.com/parley?x=1');
    await expect(link.getAttribute('rel')).resolves.toContain('noopener');
    await expect(link.textContent()).resolves.toBe('https://example.com/parley?x=1');

    // Markup is shown as text and never runs.
    await alice.send(XSS);
    await bob.message(XSS).waitFor();
    await expect(bob.message(XSS).locator('.text').textContent()).resolves.toBe(XSS);
    await expect(bob.page.getByTestId('messages').locator('img').count()).resolves.toBe(0);
    // Emoji from the picker, inserted at the caret.
    await alice.composer().fill('Great ');
    await alice.page.getByRole('button', { name: 'Emoji', exact: true }).click();
    await alice.page.getByRole('button', { name: 'Insert 👍' }).click();
    await expect(alice.composer().inputValue()).resolves.toBe('Great 👍');
    await alice.composer().press('Enter');
    await bob.message('Great 👍').waitFor();
    await alice.screenshot('04-direct-chat');
    await bob.screenshot('05-direct-chat-other-side');

    // "Seen" survives a reload: the conversation list says how far Bob has read.
    await alice.ownMessage('Great 👍').and(alice.page.locator('[data-status=seen]')).waitFor();
    await alice.page.reload();
    await alice.waitConnected();
    await alice.openConversation('Bob Baker');
    await alice.ownMessage('Great 👍').and(alice.page.locator('[data-status=seen]')).waitFor();
  });

  it('creates a group with a third user on a phone-sized screen, and all three talk in it', async () => {
    carol = await ChatPage.open(await web.browser.newContext({ phone: true }), web.cluster.gatewayUrl, uniqueName('carol'));
    await carol.register('Carol Cho');
    await carol.sendFriendRequest(alice.username);
    await alice.acceptFriendRequest(carol.username);

    await alice.page.getByTestId('new-group-button').click();
    const dialog = alice.page.getByTestId('new-group-dialog');
    await dialog.getByLabel('Group name').fill('Weekend hike');
    for (const u of [bob.username, carol.username]) await dialog.locator(`[data-testid=pick-user][data-username="${u}"]`).click();
    await alice.screenshot('06-new-group');
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await alice.page.getByTestId('chat-title').getByText('Weekend hike').waitFor();
    await alice.send('Welcome to the hike group!');

    await carol.showChats();
    await carol.openConversation('Weekend hike');
    await carol.message('Welcome to the hike group!').waitFor();
    await carol.send('Count me in 🥾');
    await bob.openConversation('Weekend hike');
    await bob.message('Count me in').waitFor();
    await bob.send('Me too');
    await carol.message('Me too').waitFor();
    await carol.screenshot('07-group-chat-phone');
    await carol.page.getByRole('button', { name: 'Back to chats' }).click();
    await carol.conversation('Weekend hike').waitFor();
    await carol.screenshot('07b-chat-list-phone');

    await alice.page.getByTestId('group-details-button').click();
    const members = alice.page.getByTestId('group-details').getByTestId('group-member');
    await expect(members.count()).resolves.toBe(3);
    await expect(members.and(alice.page.locator(`[data-username="${alice.username}"]`)).getAttribute('data-role')).resolves.toBe('owner');
    await alice.screenshot('08-group-details');
    // An owner's action: Bob becomes an admin.
    const bobRow = members.and(alice.page.locator(`[data-username="${bob.username}"]`));
    await bobRow.locator('summary').click();
    await bobRow.getByRole('button', { name: 'Make admin' }).click();
    await members.and(alice.page.locator(`[data-username="${bob.username}"][data-role=admin]`)).waitFor();
    await alice.closeDialog();
  });

  it('finds a public group by name on a phone-sized screen and joins it from the results, or asks to when admins approve', async () => {
    const name = 'Chess <b>club</b>';
    await bob.page.getByTestId('new-group-button').click();
    const create = bob.page.getByTestId('new-group-dialog');
    await create.getByLabel('Group name').fill(name);
    await create.getByRole('button', { name: 'Create group' }).click();
    await bob.page.getByTestId('chat-title').getByText(name).waitFor();
    await bob.page.getByTestId('group-details-button').click();
    const details = bob.page.getByTestId('group-details');
    await details.getByRole('button', { name: 'Make public' }).click();
    await details.getByRole('button', { name: 'Make private' }).waitFor();
    await bob.closeDialog();

    await carol.page.getByTestId('find-groups-button').click();
    const find = carol.page.getByTestId('find-groups-dialog');
    await find.getByTestId('group-search').fill('hike');
    await find.getByText('No public group matches “hike”.').waitFor();
    await find.getByTestId('group-search').fill('CHESS <b');
    const row = find.getByTestId('group-result').filter({ hasText: name });
    await row.getByText('1 member').waitFor();
    await row.getByRole('button', { name: 'Join' }).click();
    await row.getByText('Joined').waitFor();
    await row.getByText('2 members').waitFor();
    await carol.screenshot('08b-find-groups-joined-phone');
    await carol.closeDialog();
    await carol.openConversation(name);
    await carol.send('Who plays white?');
    await bob.message('Who plays white?').waitFor();
    await carol.page.getByRole('button', { name: 'Back to chats' }).click();

    // With approval on, joining from the results files a request the admins see.
    await bob.page.getByTestId('group-details-button').click();
    await details.getByRole('button', { name: 'Approve new members' }).click();
    await details.getByRole('button', { name: 'Join without approval' }).waitFor();
    await bob.closeDialog();
    await alice.page.getByTestId('find-groups-button').click();
    const aliceFind = alice.page.getByTestId('find-groups-dialog');
    await aliceFind.getByTestId('group-search').fill('chess');
    const aliceRow = aliceFind.getByTestId('group-result').filter({ hasText: name });
    await aliceRow.getByText('2 members · admins approve new members').waitFor();
    await aliceRow.getByRole('button', { name: 'Join' }).click();
    await aliceRow.getByText('Request sent').waitFor();
    await alice.closeDialog();
    await bob.page.getByTestId('group-details-button').click();
    await details.getByRole('heading', { name: 'Waiting for approval' }).waitFor();
    await details.getByText('asked to join').waitFor();
    await bob.closeDialog();
  });

  it('edits the profile', async () => {
    await alice.page.getByTestId('profile-button').click();
    const dialog = alice.page.getByTestId('profile-dialog');
    await dialog.getByLabel('Bio').fill('Hiking, coffee and <b>bold</b> claims.');
    await dialog.getByLabel('Avatar URL').fill('javascript:alert(1)');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('The avatar must be an https:// address.').waitFor();
    await dialog.getByLabel('Avatar URL').fill('');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Profile saved.').waitFor();
    await alice.screenshot('09-profile');
    await alice.closeDialog();
    const session = await alice.otherDevice(web.cluster.gatewayUrl);
    const me = await fetch(`${web.cluster.gatewayUrl}/api/me`, { headers: { authorization: `Bearer ${session.token}` } });
    expect(((await me.json()) as { user: { bio?: string } }).user.bio).toBe('Hiking, coffee and <b>bold</b> claims.');
  });

  it('keeps the session across a reload and shows the full history, paging older messages in on scroll', async () => {
    // A backlog from Alice (another session of hers, as a second device would), so history spans pages.
    const session = await alice.otherDevice(web.cluster.gatewayUrl);
    const bobId = await userIdOf(bob);
    const socket = io(at(web.cluster.nodes, 0, 'IM node').url, { auth: { token: session.token }, transports: ['websocket'], forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      for (let i = 1; i <= BACKLOG; i++) {
        const ack = await socket.emitWithAck('message:send', {
          to: { type: 'user', id: bobId },
          clientMsgId: `backlog-${i}`,
          kind: 'text',
          body: { text: `backlog ${i}` },
        });
        expect(ack.ok).toBe(true);
      }
    } finally {
      socket.disconnect();
    }

    await bob.page.reload();
    await bob.waitConnected();
    await bob.openConversation('Alice Archer');
    await bob.message(`backlog ${BACKLOG}`).waitFor();
    // Only the newest page is loaded at first; scrolling to the top fetches the older ones.
    await expect(bob.message('Hi Bob!').count()).resolves.toBe(0);
    const list = bob.page.getByTestId('messages');
    const beginning = bob.page.getByText('This is the beginning of the conversation.');
    for (let page = 0; page < 5 && !(await beginning.isVisible()); page++) {
      const before = await bob.messages().count();
      await list.evaluate((el) => el.scrollTo({ top: 0 }));
      await bob.page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid=messages] [data-testid=message]').length > n,
        before,
      );
    }
    await beginning.waitFor();
    const texts = await bob.messageTexts();
    expect(texts).toEqual([
      'Hi Bob! 👋',
      'Hey Alice, look: https://example.com/parley?x=1.',
      XSS,
      'Great 👍',
      ...Array.from({ length: BACKLOG }, (_, i) => `backlog ${i + 1}`),
    ]);
    await bob.screenshot('10-history-after-reload');
  });

  it('says so when its node drains, moves to the other node and keeps the message being typed', async () => {
    const before = await bob.nodeId();
    await bob.closeDialog();
    await bob.composer().fill('typed while the node went away');
    const banner = bob.page.getByTestId('connection-banner').waitFor();
    const drained = web.cluster.drainNode(web.cluster.nodes.findIndex((n) => n.nodeId === before));
    await banner;
    await bob.screenshot('11-reconnecting');
    await drained;
    await bob.waitConnected();
    const after = await bob.nodeId();
    await bob.closeDialog();
    expect(after).not.toBe(before);
    await expect(bob.composer().inputValue()).resolves.toBe('typed while the node went away');
    await bob.composer().press('Enter');
    await bob.ownMessage('typed while the node went away').and(bob.page.locator('[data-status=sent], [data-status=seen]')).waitFor();
    await alice.waitConnected();
    await alice.openConversation('Bob Baker');
    await alice.message('typed while the node went away').waitFor();
  });

  it('marks a refused message as failed with a retry; removes and blocks people', async () => {
    // Bob only takes direct messages from friends (the default), and Carol is not one.
    await carol.waitConnected();
    await carol.showContacts();
    await carol.page.getByTestId('user-search').fill(bob.username);
    await carol.page.locator(`[data-testid=search-result][data-username="${bob.username}"]`).getByRole('button', { name: 'Message' }).click();
    await carol.composer().fill('Hi Bob, Carol here');
    await carol.composer().press('Enter');
    const failed = carol.ownMessage('Hi Bob, Carol here').and(carol.page.locator('[data-status=failed]'));
    await failed.getByRole('button', { name: 'Retry' }).waitFor();
    await carol.screenshot('12-failed-message-phone');
    await carol.page.getByRole('button', { name: 'Back to chats' }).click();

    // Alice ends her friendship with Carol: both lists update.
    await alice.showContacts();
    await alice.friend(carol.username).locator('summary[aria-label="More actions for Carol Cho"]').click();
    await alice.friend(carol.username).getByRole('button', { name: 'Remove friend' }).click();
    await alice.friend(carol.username).waitFor({ state: 'detached' });
    await carol.showContacts();
    await carol.friend(alice.username).waitFor({ state: 'detached' });

    // Bob blocks Carol from a search result.
    await bob.showContacts();
    await bob.page.getByTestId('user-search').fill(carol.username);
    const row = bob.page.locator(`[data-testid=search-result][data-username="${carol.username}"]`);
    await row.locator('summary[aria-label="More actions for Carol Cho"]').click();
    await row.getByRole('button', { name: 'Block' }).click();
    await row.getByRole('button', { name: 'Unblock' }).waitFor();
    await bob.page.getByTestId('user-search').fill('');
    await bob.page.getByRole('region', { name: 'Blocked' }).getByText('Carol Cho').waitFor();
    await bob.screenshot('13-contacts-blocked');
  });

  async function userIdOf(user: ChatPage): Promise<string> {
    return (await user.otherDevice(web.cluster.gatewayUrl)).user.id;
  }
});
