import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { FsBlobStore, SharpMediaInspector, SignedBlobLinks } from '@parley/attachments';
import { jpegWithExif } from '@parley/attachments/testing';
import { SqliteStore } from '@parley/store';
import { AttachmentService, MessagingService, type Store } from '@parley/domain';
import { RecordingNotifier, sequenceIds } from '@parley/domain/testing';

/** AttachmentService over the real SQLite engine and a real blob directory, and the message pipeline that claims its uploads. */
describe('AttachmentService', () => {
  let store: Store;
  let dir: string;
  let blobs: FsBlobStore;
  let attachments: AttachmentService;
  let messaging: MessagingService;
  let now: number;
  const clock = { now: () => now };
  const MAX = 2 * 1024 * 1024;

  const addUser = (id: string) => store.createUser({ id, username: id, displayName: id, passwordHash: 'x', createdAt: now });
  const toBob = { type: 'user', id: 'bob' } as const;
  /** A ticket for `bytes`, the bytes sent as the fs route would, the upload id. */
  const upload = async (userId: string, bytes: Buffer, name = 'photo.jpg'): Promise<string> => {
    const ticket = await attachments.ticket(userId, { name, size: bytes.length });
    await attachments.receive(ticket.uploadId, async (limit) => {
      if (bytes.length > limit) throw Object.assign(new Error('too big'), { code: 'PAYLOAD_TOO_LARGE' });
      return bytes;
    });
    return ticket.uploadId;
  };

  beforeEach(async () => {
    now = 1_700_000_000_000;
    store = new SqliteStore({ filename: ':memory:' });
    await store.migrate();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-attachments-'));
    blobs = new FsBlobStore(dir);
    attachments = new AttachmentService({
      store,
      blobs,
      inspector: new SharpMediaInspector(),
      links: new SignedBlobLinks('a-jwt-secret-of-enough-length-for-the-test-0123456789'),
      ids: sequenceIds('u'),
      clock,
      options: { maxBytes: MAX, ttlSec: 3600 },
    });
    messaging = new MessagingService({ store, notifier: new RecordingNotifier(), ids: sequenceIds('m'), clock, attachments });
    for (const id of ['alice', 'bob', 'eve']) await addUser(id);
    const request = await store.createFriendRequest({ id: 'fr1', fromUserId: 'alice', toUserId: 'bob', note: null, createdAt: now });
    await store.resolveFriendRequest(request.id, 'accepted', now);
  });

  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('tickets', () => {
    it('answers a gateway upload link for the fs engine, with a cleaned name and the TTL', async () => {
      const ticket = await attachments.ticket('alice', { name: '../../etc/pass\u202ewd.txt', size: 10 });
      expect(ticket).toMatchObject({ method: 'PUT', maxBytes: 10, expiresAt: now + 3_600_000 });
      expect(ticket.url).toMatch(new RegExp(`^/api/uploads/${ticket.uploadId}/content\\?t=\\d+\\.[\\w-]+$`));
      expect((await store.getUpload(ticket.uploadId))?.name).toBe('passwd.txt');
    });

    it('refuses a file over PARLEY_UPLOAD_MAX_BYTES with PAYLOAD_TOO_LARGE, storing nothing', async () => {
      expect(() => attachments.ticket('alice', { name: 'big.bin', size: MAX + 1 })).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
      expect(await store.countOpenUploads('alice', now)).toBe(0);
    });

    it('keeps at most 20 uploads waiting per user, even when a thousand tickets are asked at once', async () => {
      const results = await Promise.allSettled(Array.from({ length: 1000 }, (_, i) => attachments.ticket('alice', { name: `f${i}`, size: 5 })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
      expect(await store.countOpenUploads('alice', now)).toBe(20);
      // Others are not affected, and expired ones stop counting.
      await expect(attachments.ticket('bob', { name: 'b', size: 5 })).resolves.toBeDefined();
      now += 3_600_001;
      await expect(attachments.ticket('alice', { name: 'later', size: 5 })).resolves.toBeDefined();
    });
  });

  describe('receiving bytes (fs)', () => {
    it('takes the bytes once: a second PUT is CONFLICT, an unknown or expired upload NOT_FOUND', async () => {
      const id = await upload('alice', Buffer.from('hello'));
      expect((await blobs.get(id))?.toString()).toBe('hello');
      await expect(attachments.receive(id, async () => Buffer.from('again'))).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(attachments.receive('nope', async () => Buffer.from('x'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const late = await attachments.ticket('alice', { name: 'late', size: 3 });
      now += 3_600_001;
      await expect(attachments.receive(late.uploadId, async () => Buffer.from('abc'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('reads at most the ticket size, and two PUTs of one upload at once store one', async () => {
      const ticket = await attachments.ticket('alice', { name: 'a', size: 4 });
      let limitSeen = 0;
      await attachments.receive(ticket.uploadId, async (limit) => ((limitSeen = limit), Buffer.from('abcd')));
      expect(limitSeen).toBe(4);
      const twice = await attachments.ticket('alice', { name: 'b', size: 1 });
      const results = await Promise.allSettled([1, 2].map((n) => attachments.receive(twice.uploadId, async () => Buffer.from(String(n)))));
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    });

    it('stores the first of two PUTs of one upload received by two gateways at once (create-only, not per process)', async () => {
      const other = new AttachmentService({
        store,
        blobs: new FsBlobStore(dir),
        inspector: new SharpMediaInspector(),
        links: new SignedBlobLinks('a-jwt-secret-of-enough-length-for-the-test-0123456789'),
        ids: sequenceIds('v'),
        clock,
        options: { maxBytes: MAX, ttlSec: 3600 },
      });
      for (let round = 0; round < 5; round++) {
        const ticket = await attachments.ticket('alice', { name: `r${round}`, size: 1 });
        const results = await Promise.allSettled([attachments, other].map((s, n) => s.receive(ticket.uploadId, async () => Buffer.from(String(n)))));
        const won = results.findIndex((r) => r.status === 'fulfilled');
        expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
        expect((await blobs.get(ticket.uploadId))?.toString()).toBe(String(won));
      }
    });

    it('signs upload URLs for at most 10 minutes, whatever the TTL (S3 presigned PUTs and fs tokens)', async () => {
      const ticket = await attachments.ticket('alice', { name: 'a', size: 1 });
      const exp = Number(/[?&]t=(\d+)\./.exec(ticket.url)?.[1]);
      expect(exp).toBeGreaterThan(now);
      expect(exp).toBeLessThanOrEqual(now + 600_000);
      const asked: number[] = [];
      const s3 = new AttachmentService({
        store,
        blobs: { ...blobs, engine: 's3', presignPut: async (_key: string, options: { expiresInSec: number }) => (asked.push(options.expiresInSec), { url: 'https://s3/x', headers: {} }) } as unknown as FsBlobStore,
        inspector: new SharpMediaInspector(),
        links: new SignedBlobLinks('a-jwt-secret-of-enough-length-for-the-test-0123456789'),
        ids: sequenceIds('s'),
        clock,
        options: { maxBytes: MAX, ttlSec: 3600 },
      });
      expect(await s3.ticket('alice', { name: 'b', size: 1 })).toMatchObject({ url: 'https://s3/x', expiresAt: now + 3_600_000 });
      expect(asked).toEqual([600]);
    });
  });

  describe('complete and claim', () => {
    it('strips an image, thumbnails it, and measures it from the bytes', async () => {
      const id = await upload('alice', await jpegWithExif(800, 400));
      const attachment = await attachments.complete('alice', id);
      expect(attachment).toMatchObject({ id, name: 'photo.jpg', mime: 'image/jpeg', width: 400, height: 800, thumbnail: true });
      // The checked bytes live under keys no upload URL names; the received ones are gone.
      const stored = await blobs.get(`a-${id}`);
      expect(attachment.size).toBe(stored?.length);
      expect((await sharp(stored ?? Buffer.alloc(0)).metadata()).exif).toBeUndefined();
      expect(await sharp((await blobs.get(`a-${id}.thumb`)) ?? Buffer.alloc(0)).metadata()).toMatchObject({ format: 'webp', width: 160, height: 320 });
      expect(await blobs.get(id)).toBeNull();
    });

    it('serves the checked bytes whatever is PUT to the upload URL afterwards (a presigned PUT still valid after send)', async () => {
      const id = await upload('alice', await jpegWithExif(200, 100));
      await attachments.complete('alice', id);
      // What a second PUT to a still-valid S3 URL does: new bytes (with EXIF/GPS) under the upload key.
      await blobs.put(id, await jpegWithExif(200, 100), 'image/jpeg');
      await messaging.send('alice', { to: toBob, clientMsgId: 'c1', kind: 'image', body: { attachmentId: id } });
      const link = await attachments.link('bob', id, 'original');
      const key = decodeURIComponent(new URL(link.url, 'http://gw').pathname.replace('/api/blobs/', ''));
      expect(key).not.toBe(id);
      const served = (await blobs.get(key)) ?? Buffer.alloc(0);
      expect(served.includes(Buffer.from('ParleyCam'))).toBe(false);
      expect((await sharp(served).metadata()).exif).toBeUndefined();
    });

    it('refuses an image that cannot be decoded (INVALID_ARGUMENT) and keeps none of its bytes', async () => {
      const cut = (await jpegWithExif(200, 100)).subarray(0, 300);
      const id = await upload('alice', cut);
      await expect(attachments.complete('alice', id)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(fs.readdirSync(dir)).toEqual([]);
      await expect(messaging.send('alice', { to: toBob, clientMsgId: 'c1', kind: 'file', body: { attachmentId: id } })).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it("answers NOT_FOUND for someone else's upload and CONFLICT for one not received yet", async () => {
      const id = await upload('alice', Buffer.from('text'));
      await expect(attachments.complete('eve', id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const empty = await attachments.ticket('alice', { name: 'x', size: 3 });
      await expect(attachments.complete('alice', empty.uploadId)).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('sends an upload in one message (checked lazily), and refuses it in a second or by another sender', async () => {
      const id = await upload('alice', await jpegWithExif(200, 100));
      const send = (sender: string, clientMsgId: string, kind: 'image' | 'file' = 'image') =>
        messaging.send(sender, { to: sender === 'alice' ? toBob : { type: 'user', id: 'alice' }, clientMsgId, kind, body: { attachmentId: id, caption: 'look' } });
      await expect(send('bob', 'b1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const message = await send('alice', 'c1');
      expect(message.kind).toBe('image');
      expect(message.body).toMatchObject({ text: 'look', attachment: { id, mime: 'image/jpeg', width: 100, height: 200, thumbnail: true } });
      // A retry of the same send is the same message; another message cannot reuse the upload.
      expect((await send('alice', 'c1')).id).toBe(message.id);
      await expect(send('alice', 'c2')).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('refuses kind image for bytes that are not an image (a text file named .jpg), but sends them as a file', async () => {
      const id = await upload('alice', Buffer.from('just some text, named like a photo'), 'holiday.jpg');
      const send = (kind: 'image' | 'file', clientMsgId: string) => messaging.send('alice', { to: toBob, clientMsgId, kind, body: { attachmentId: id } });
      await expect(send('image', 'i1')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      const message = await send('file', 'f1');
      expect(message.body.attachment).toMatchObject({ id, name: 'holiday.jpg', mime: 'application/octet-stream' });
      expect(message.body.attachment?.width).toBeUndefined();
    });

    it('knows a PNG named .txt for a PNG', async () => {
      const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#123456' } }).png().toBuffer();
      const id = await upload('alice', png, 'notes.txt');
      expect(await attachments.complete('alice', id)).toMatchObject({ mime: 'image/png', width: 10, height: 10 });
    });
  });

  describe('links', () => {
    it('gives members of the conversation short-lived links and everyone else NOT_FOUND', async () => {
      const id = await upload('alice', await jpegWithExif(200, 100));
      await expect(attachments.link('alice', id, 'original')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await messaging.send('alice', { to: toBob, clientMsgId: 'c1', kind: 'image', body: { attachmentId: id } });
      const link = await attachments.link('bob', id, 'original');
      expect(link).toMatchObject({ attachment: { id }, expiresAt: now + 300_000 });
      expect(link.url).toMatch(new RegExp(`^/api/blobs/a-${id}\\?.*cd=inline`));
      expect(link.thumbnailUrl).toMatch(new RegExp(`^/api/blobs/a-${id}\\.thumb\\?`));
      expect((await attachments.link('bob', id, 'thumbnail')).url).toMatch(/\.thumb\?/);
      await expect(attachments.link('eve', id, 'original')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(attachments.link('eve', 'no-such-id', 'original')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('serves files as downloads, and has no thumbnail for them', async () => {
      const id = await upload('alice', Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'), 'report.pdf');
      await messaging.send('alice', { to: toBob, clientMsgId: 'c1', kind: 'file', body: { attachmentId: id } });
      const link = await attachments.link('bob', id, 'original');
      expect(link.attachment).toMatchObject({ mime: 'application/pdf', name: 'report.pdf' });
      expect(link.url).toMatch(/cd=attachment/);
      expect(link.thumbnailUrl).toBeUndefined();
      await expect(attachments.link('bob', id, 'thumbnail')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('sweep and discard', () => {
    it('sweeps expired unsent uploads (bytes and records) and keeps sent ones', async () => {
      const unsent = await upload('alice', await jpegWithExif(200, 100));
      await attachments.complete('alice', unsent);
      const sent = await upload('alice', Buffer.from('kept'));
      await messaging.send('alice', { to: toBob, clientMsgId: 'c1', kind: 'file', body: { attachmentId: sent } });
      expect(await attachments.sweep()).toBe(0);
      now += 3_600_000 + 60_001;
      // Past its time, an unsent upload can no longer be sent (the sweep may be deleting it).
      await expect(messaging.send('alice', { to: toBob, clientMsgId: 'c2', kind: 'image', body: { attachmentId: unsent } })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(await attachments.sweep()).toBe(1);
      expect(await store.getUpload(unsent)).toBeNull();
      expect(fs.readdirSync(dir).sort()).toEqual([`a-${sent}`]);
      expect(await attachments.sweep()).toBe(0);
    });

    it('never sweeps an upload a send claims while the sweep runs (record first, only if unclaimed; bytes only then)', async () => {
      const id = await upload('alice', Buffer.from('claimed during the sweep'));
      await attachments.complete('alice', id);
      now += 3_600_000 + 60_001;
      const list = store.listExpiredUploads.bind(store);
      const spy = jest.spyOn(store, 'listExpiredUploads').mockImplementation(async (before, limit) => {
        const expired = await list(before, limit);
        // The send's claim lands between the sweep's list and its delete.
        await store.claimUpload(id, 'alice', 'd:alice:bob', 'c1');
        return expired;
      });
      expect(await attachments.sweep()).toBe(0);
      spy.mockRestore();
      expect(await store.getUpload(id)).toMatchObject({ conversationId: 'd:alice:bob' });
      expect((await blobs.get(`a-${id}`))?.toString()).toBe('claimed during the sweep');
    });

    it('gives a late send at least 60 s past the expiry before sweeping, whatever grace is configured', async () => {
      const short = new AttachmentService({
        store,
        blobs,
        inspector: new SharpMediaInspector(),
        links: new SignedBlobLinks('a-jwt-secret-of-enough-length-for-the-test-0123456789'),
        ids: sequenceIds('g'),
        clock,
        options: { maxBytes: MAX, ttlSec: 5, sweepGraceMs: 1_000 },
      });
      const ticket = await short.ticket('alice', { name: 'g', size: 1 });
      now += 5_000 + 30_000;
      expect(await short.sweep()).toBe(0);
      now += 30_001;
      expect(await short.sweep()).toBe(1);
      expect(await store.getUpload(ticket.uploadId)).toBeNull();
    });

    it('discards an upload and its thumbnail (a recalled message), and never throws', async () => {
      const id = await upload('alice', await jpegWithExif(200, 100));
      await attachments.complete('alice', id);
      await attachments.discard(id);
      expect(fs.readdirSync(dir)).toEqual([]);
      expect(await store.getUpload(id)).toBeNull();
      await expect(attachments.discard(id)).resolves.toBeUndefined();
    });
  });
});
