import { io } from 'socket.io-client';
import sharp from 'sharp';
import { ParleyClient, type MessageUpdate } from '@parley/client';
import type { Message } from '@parley/protocol';
import { TEST_PASSWORD, startCluster, waitFor, type Cluster } from '@parley/testing';
import { uniqueName } from '../support/test-user';

jest.setTimeout(60_000);

/** Where the test sends a socket while its user is "offline": nothing listens on the discard port of loopback. */
const NOWHERE = 'http://127.0.0.1:9';

interface SdkUser {
  c: ParleyClient;
  id: string;
  released: Message[];
  updates: MessageUpdate[];
  /** Cuts the network: the socket drops and every reconnect fails until `online()`. */
  offline(): void;
  online(): void;
}

describe('the client library with rich messages, two users on two IM nodes', () => {
  let cluster: Cluster;
  const clients: ParleyClient[] = [];

  beforeAll(async () => {
    // The fs blob store in a directory the harness makes for the cluster's processes.
    cluster = await startCluster({ nodes: 2, name: 'rich-sdk-e2e' });
  }, 90_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await cluster?.stop();
  });

  /** A client of a new user, or another device of `session`'s user. */
  async function user(session?: ParleyClient): Promise<SdkUser> {
    let cut = false;
    const sockets: ReturnType<typeof io>[] = [];
    const gated = ((url: string, opts: Parameters<typeof io>[1]) => {
      const socket = io(cut ? NOWHERE : url, opts);
      sockets.push(socket);
      return socket;
    }) as typeof io;
    // A second device shares the first one's session: only one of them may use its refresh token.
    const c = new ParleyClient({ gatewayUrl: cluster.gatewayUrl, io: gated, backoff: { initialMs: 50, maxMs: 200 }, ...(session ? { refresh: false as const } : {}) });
    clients.push(c);
    if (session?.session) c.useSession(session.session);
    else await c.register(uniqueName('sdkr'), TEST_PASSWORD);
    const released: Message[] = [];
    const updates: MessageUpdate[] = [];
    c.on('message', (m) => released.push(m));
    c.on('messageUpdate', (u) => updates.push(u));
    await c.connect();
    return {
      c,
      id: c.user!.id,
      released,
      updates,
      offline: () => {
        cut = true;
        for (const s of sockets) s.disconnect();
      },
      online: () => void (cut = false),
    };
  }

  async function friends(a: SdkUser, b: SdkUser): Promise<void> {
    const { request } = await a.c.command('friend:request', { userId: b.id });
    await b.c.command('friend:respond', { requestId: request.id, accept: true });
  }

  it('a recipient offline during an edit, a recall and a reaction holds the final state after it reconnects and syncs', async () => {
    const alice = await user();
    const bob = await user();
    expect(alice.c.nodeId).not.toBe(bob.c.nodeId);
    await friends(alice, bob);
    const toBob = { type: 'user' as const, id: bob.id };
    const m1 = await alice.c.send(toBob, 'draft');
    const m2 = await alice.c.send(toBob, 'regret');
    const m3 = await alice.c.send(toBob, 'like this');
    const conversationId = m1.conversationId;
    await waitFor('bob to hold the three messages', () => bob.c.messages(conversationId).length === 3 || undefined);
    const reply = await bob.c.send({ type: 'user', id: alice.id }, 'hm?', { replyTo: m2.id });
    expect(reply.quote).toMatchObject({ messageId: m2.id, text: 'regret' });

    bob.offline();
    await waitFor('bob to notice', () => (bob.c.state === 'reconnecting' ? true : undefined));
    const edited = await alice.c.edit(m1.id, 'final');
    await alice.c.recall(m2.id);
    await alice.c.react(m3.id, '👍');
    await alice.c.react(m3.id, '🎉');
    await alice.c.react(m3.id, '🎉', false);
    // The acting client applied its own changes from the pushes.
    await waitFor('alice to see her changes', () => (alice.updates.length >= 6 ? true : undefined)); // 5 entries + the reply's recalled quote
    expect(alice.c.message(conversationId, m1.id)).toEqual(edited);

    bob.online();
    await waitFor('bob back and caught up', () => (bob.c.state === 'connected' && bob.c.message(conversationId, m2.id)?.recalled ? true : undefined));
    const held = new Map(bob.c.messages(conversationId).map((m) => [m.id, m]));
    expect(held.get(m1.id)).toMatchObject({ body: { text: 'final' }, editedAt: edited.editedAt });
    expect(held.get(m2.id)).toMatchObject({ recalled: true, body: { text: '' } });
    expect(held.get(m3.id)?.reactions).toEqual([{ emoji: '👍', userIds: [alice.id] }]);
    expect(held.get(reply.id)?.quote).toMatchObject({ messageId: m2.id, recalled: true, text: '' });
    // Each change entry reported once, in seq order; bob's views equal alice's (the server's) state.
    const seqs = bob.updates.map((u) => u.entry.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(bob.updates.filter((u) => u.message?.id !== reply.id).map((u) => u.entry.id)).size).toBe(5);
    for (const id of [m1.id, m2.id, m3.id, reply.id]) expect(bob.c.message(conversationId, id)).toEqual(alice.c.message(conversationId, id));
  });

  it('delete for me: gone on both my devices, still there for the other user', async () => {
    const alice = await user();
    const aliceTab = await user(alice.c);
    const bob = await user();
    await friends(alice, bob);
    const keep = await bob.c.send({ type: 'user', id: alice.id }, 'keep');
    const drop = await bob.c.send({ type: 'user', id: alice.id }, 'drop');
    const { conversationId } = drop;
    for (const device of [alice, aliceTab]) await waitFor('both messages on each device', () => (device.c.messages(conversationId).length === 2 ? true : undefined));

    await alice.c.deleteForMe(drop.id);
    for (const device of [alice, aliceTab]) {
      await waitFor('the message gone', () => (device.c.messages(conversationId).length === 1 ? true : undefined));
      expect(device.c.messages(conversationId).map((m) => m.id)).toEqual([keep.id]);
      expect(device.updates).toEqual([{ entry: expect.objectContaining({ change: { type: 'delete', messageId: drop.id } }), message: expect.objectContaining({ id: drop.id, deleted: true }) }]);
    }
    await bob.c.react(keep.id, '👍'); // a later entry bob does get
    await waitFor('bob to see his reaction', () => (bob.c.message(conversationId, keep.id)?.reactions ? true : undefined));
    expect(bob.c.messages(conversationId).map((m) => m.id)).toEqual([keep.id, drop.id]);
    expect(bob.updates.map((u) => u.entry.change?.type)).toEqual(['reaction']);
    // Alice's next message reaches bob past the seq hidden from him, without waiting on it.
    const after = await alice.c.send({ type: 'user', id: bob.id }, 'after');
    await waitFor('bob to get the next message', () => (bob.c.message(conversationId, after.id) ? true : undefined));
    expect(bob.c.messages(conversationId).map((m) => m.id)).toEqual([keep.id, drop.id, after.id]);
  });

  it('search, versions and reply with mentions through the client', async () => {
    const owner = await user();
    const member = await user();
    await friends(owner, member);
    const { group } = await owner.c.command('group:create', { name: 'sdk rich', memberIds: [member.id] });
    const to = { type: 'group' as const, id: group.id };
    const q = await owner.c.send(to, '下周的发布计划', { mentions: [member.id] });
    expect(q.mentions).toEqual([member.id]);
    const r = await member.c.send(to, 'ok', { replyTo: q.id, mentions: ['@all'] }).catch((err: unknown) => err);
    expect(r).toMatchObject({ code: 'FORBIDDEN' });
    await owner.c.edit(q.id, '下周的发布计划（改）');
    expect(await member.c.versions(q.id)).toEqual([{ text: '下周的发布计划', editedAt: expect.any(Number) }]);
    const found = await member.c.search('发布计划');
    expect(found.results.map((x) => x.message.id)).toEqual([q.id]);
    await expect(member.c.search('x', { conversationId: 'g:nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(member.c.edit(q.id, 'mine now')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(member.c.recall(q.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('sends an image and a file with sendAttachment; members get links, a non-member with the id does not', async () => {
    const alice = await user();
    const bob = await user();
    const eve = await user();
    await friends(alice, bob);
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 10, b: 10 } } }).png().toBuffer();
    const progress: number[] = [];
    const image = await alice.c.sendAttachment({ type: 'user', id: bob.id }, new Uint8Array(png), 'red.png', {
      caption: 'a red box',
      onProgress: (sent, total) => progress.push(sent / total),
    });
    expect(image).toMatchObject({ kind: 'image', body: { text: 'a red box', caption: 'a red box', attachment: { name: 'red.png', mime: 'image/png', width: 40, height: 30 } } });
    expect(progress.at(-1)).toBe(1);
    const attachment = image.body.attachment!;
    await waitFor('bob to get the image', () => bob.c.message(image.conversationId, image.id));

    const link = await bob.c.attachmentLink(attachment.id);
    expect(link.url).toMatch(/^https?:\/\//);
    const bytes = Buffer.from(await (await fetch(link.url)).arrayBuffer());
    expect((await sharp(bytes).metadata()).width).toBe(40);
    const thumb = await bob.c.attachmentLink(attachment.id, 'thumbnail');
    expect((await fetch(thumb.thumbnailUrl ?? thumb.url)).status).toBe(200);
    await expect(eve.c.attachmentLink(attachment.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const file = await alice.c.sendAttachment({ type: 'user', id: bob.id }, new Blob(['just text, named like an image'], { type: 'image/jpeg' }), 'fake.jpg');
    expect(file).toMatchObject({ kind: 'file', body: { attachment: { name: 'fake.jpg', mime: expect.not.stringMatching(/^image\//) } } });

    // A recalled attachment's bytes are gone for everyone.
    await alice.c.recall(image.id);
    await waitFor('bob to see the recall', () => (bob.c.message(image.conversationId, image.id)?.recalled ? true : undefined));
    await expect(bob.c.attachmentLink(attachment.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
