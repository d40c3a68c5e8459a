import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import sharp from 'sharp';
import { FsBlobStore, S3BlobStore } from '@parley/attachments';
import { jpegWithExif, startS3Server, type TestS3Server } from '@parley/attachments/testing';
import type { BlobStore } from '@parley/domain';
import type { Attachment, AttachmentLink, UploadCompleteResult } from '@parley/protocol';
import { at, startCluster, waitFor, type Cluster } from '@parley/testing';
import { TestUser, befriend, uniqueName } from '../support/test-user';
import { api, download, upload } from './upload-client';

jest.setTimeout(120_000);

/**
 * Small limits so the refusals are cheap to reach: 1 MB per file, unsent
 * uploads expire after 20 s (room for a slow upload-then-send on a loaded
 * host), swept every second (60 s past expiry at the earliest).
 */
const LIMITS = { PARLEY_UPLOAD_MAX_BYTES: String(1024 * 1024), PARLEY_UPLOAD_TTL_SEC: '20' };

/**
 * Attachments end to end on real processes (a gateway and two IM nodes):
 * alice on one node uploads and sends, bob on the other fetches, as a client
 * would. Once on the filesystem engine (a directory all three share), once
 * on S3 (a real s3rver the test starts; clients PUT and GET presigned URLs).
 */
describe.each(['fs', 's3'] as const)('attachments across two nodes (%s engine)', (engine) => {
  let cluster: Cluster;
  let s3: TestS3Server | undefined;
  let blobDir: string | undefined;
  let blobs: BlobStore;
  let alice: TestUser;
  let bob: TestUser;
  let eve: TestUser;

  beforeAll(async () => {
    let env: Record<string, string> = { ...LIMITS };
    if (engine === 's3') {
      s3 = await startS3Server();
      env = { ...env, ...s3.env };
      blobs = new S3BlobStore(s3.options);
    } else {
      blobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-blobs-'));
      env = { ...env, PARLEY_BLOB_DIR: blobDir };
      blobs = new FsBlobStore(blobDir);
    }
    cluster = await startCluster({ nodes: 2, name: `attachments-${engine}-e2e`, gatewayEnv: { ...env, PARLEY_UPLOAD_SWEEP_SEC: '1' }, nodeEnv: env });
    alice = await TestUser.register(cluster.gatewayUrl, 'att_alice');
    bob = await TestUser.register(cluster.gatewayUrl, 'att_bob');
    eve = await TestUser.register(cluster.gatewayUrl, 'att_eve');
    await alice.connect(at(cluster.nodes, 0, 'IM node').url);
    await bob.connect(at(cluster.nodes, 1, 'IM node').url);
    await eve.connect(at(cluster.nodes, 0, 'IM node').url);
    await befriend(alice, bob);
  }, 120_000);

  afterAll(async () => {
    for (const u of [alice, bob, eve]) u?.disconnect();
    await cluster?.stop();
    (blobs as { close?: () => void } | undefined)?.close?.();
    await s3?.stop();
    if (blobDir) fs.rmSync(blobDir, { recursive: true, force: true });
  });

  const sendAttachment = (sender: TestUser, to: TestUser, attachmentId: string, kind: 'image' | 'file', clientMsgId = uniqueName('att')) =>
    sender.command('message:send', { to: { type: 'user', id: to.id }, clientMsgId, kind, body: { attachmentId, caption: 'from the trip' } });

  it('alice sends a photo from one node; bob on the other gets it upright, without EXIF, with a thumbnail', async () => {
    const photo = await jpegWithExif(800, 400);
    const { ticket, put } = await upload(cluster.gatewayUrl, alice.auth.token, 'IMG_0001.jpg', photo);
    expect(put).toBe(engine === 's3' ? 200 : 204);
    expect(ticket.url.startsWith(engine === 's3' ? s3?.endpoint ?? '?' : '/api/uploads/')).toBe(true);

    // Not completed: the node checks the bytes when the message claims them.
    const ack = await sendAttachment(alice, bob, ticket.uploadId, 'image');
    if (!ack.ok) throw new Error(`send failed: ${ack.error.code} ${ack.error.message}`);
    const expected: Partial<Attachment> = { id: ticket.uploadId, name: 'IMG_0001.jpg', mime: 'image/jpeg', width: 400, height: 800, thumbnail: true };
    expect(ack.message).toMatchObject({ kind: 'image', body: { text: 'from the trip', attachment: expected } });
    const atBob = await bob.waitForMessage((m) => m.id === ack.message.id);
    expect(atBob.body.attachment).toMatchObject(expected);

    const link = await api<AttachmentLink>(cluster.gatewayUrl, bob.auth.token, 'GET', `/api/attachments/${ticket.uploadId}`);
    expect(link.status).toBe(200);
    expect(link.body.expiresAt).toBeGreaterThan(Date.now());
    const original = await download(cluster.gatewayUrl, link.body.url);
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/jpeg');
    const meta = await sharp(original.bytes).metadata();
    expect({ width: meta.width, height: meta.height, exif: meta.exif, orientation: meta.orientation }).toEqual({ width: 400, height: 800, exif: undefined, orientation: undefined });
    expect(original.bytes.includes(Buffer.from('ParleyCam'))).toBe(false);
    if (engine === 'fs') {
      expect(original.headers.get('x-content-type-options')).toBe('nosniff');
      expect(original.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(original.headers.get('content-disposition')).toMatch(/^inline; filename="IMG_0001.jpg"/);
    }
    const thumb = await download(cluster.gatewayUrl, link.body.thumbnailUrl ?? '');
    expect(thumb.status).toBe(200);
    expect(await sharp(thumb.bytes).metadata()).toMatchObject({ format: 'webp', width: 160, height: 320 });
  });

  it('answers NOT_FOUND to a non-member who has the id, and to a tampered link', async () => {
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');
    const { ticket } = await upload(cluster.gatewayUrl, alice.auth.token, 'private.pdf', pdf);
    const completed = await api<UploadCompleteResult>(cluster.gatewayUrl, alice.auth.token, 'POST', `/api/uploads/${ticket.uploadId}/complete`);
    expect(completed.body.attachment).toMatchObject({ mime: 'application/pdf', size: pdf.length });
    const ack = await sendAttachment(alice, bob, ticket.uploadId, 'file');
    expect(ack.ok).toBe(true);
    const asEve = await api(cluster.gatewayUrl, eve.auth.token, 'GET', `/api/attachments/${ticket.uploadId}`);
    expect({ status: asEve.status, code: asEve.body.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect((await api(cluster.gatewayUrl, eve.auth.token, 'GET', '/api/attachments/01NOSUCHATTACHMENT')).status).toBe(404);
    const asBob = await api<AttachmentLink>(cluster.gatewayUrl, bob.auth.token, 'GET', `/api/attachments/${ticket.uploadId}`);
    expect(asBob.status).toBe(200);
    const file = await download(cluster.gatewayUrl, asBob.body.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="private.pdf"/);
    if (engine === 'fs') {
      // The signature covers the response headers: asking to render the PDF inline, or as HTML, breaks it.
      for (const tampered of [asBob.body.url.replace('cd=attachment', 'cd=inline'), asBob.body.url.replace('ct=application%2Fpdf', 'ct=text%2Fhtml')]) {
        expect((await download(cluster.gatewayUrl, tampered)).status).toBe(403);
      }
    }
  });

  it('refuses a file over the limit (413) and, on the gateway, bytes beyond the ticket', async () => {
    const big = await api(cluster.gatewayUrl, alice.auth.token, 'POST', '/api/uploads', { name: 'big.bin', size: 1024 * 1024 + 1 });
    expect({ status: big.status, code: big.body.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    if (engine === 'fs') {
      const { ticket, put } = await upload(cluster.gatewayUrl, alice.auth.token, 'liar.bin', Buffer.alloc(100), Buffer.alloc(5000, 1));
      expect(put).toBe(413);
      expect(await blobs.size(ticket.uploadId)).toBeNull();
    }
  });

  it("answers NOT_FOUND for someone else's upload id and CONFLICT for an upload sent twice", async () => {
    const { ticket } = await upload(cluster.gatewayUrl, alice.auth.token, 'once.txt', Buffer.from('only once'));
    const stolen = await sendAttachment(bob, alice, ticket.uploadId, 'file');
    expect(stolen.ok ? 'ok' : stolen.error.code).toBe('NOT_FOUND');
    const first = await sendAttachment(alice, bob, ticket.uploadId, 'file');
    expect(first.ok).toBe(true);
    const second = await sendAttachment(alice, bob, ticket.uploadId, 'file');
    expect(second.ok ? 'ok' : second.error.code).toBe('CONFLICT');
    // Text bytes are not an image, whatever the name says.
    const { ticket: fake } = await upload(cluster.gatewayUrl, alice.auth.token, 'fake.jpg', Buffer.from('not a jpeg at all'));
    const asImage = await sendAttachment(alice, bob, fake.uploadId, 'image');
    expect(asImage.ok ? 'ok' : asImage.error.code).toBe('INVALID_ARGUMENT');
  });

  it('sweeps an upload nobody sent: its bytes and its record', async () => {
    const { ticket } = await upload(cluster.gatewayUrl, alice.auth.token, 'forgotten.txt', Buffer.from('never sent'));
    expect(await blobs.size(ticket.uploadId)).toBe(10);
    const db = await mysql.createConnection(cluster.mysqlUrl);
    try {
      const records = async (): Promise<number> => {
        const [rows] = await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM uploads WHERE id = ?', [ticket.uploadId]);
        return Number(rows[0]?.['n']);
      };
      expect(await records()).toBe(1);
      // Expired after the TTL (20 s), swept at least 60 s later (the grace a late send gets).
      await waitFor('the sweep removed the bytes', async () => ((await blobs.size(ticket.uploadId)) === null ? true : undefined), { timeoutMs: 150_000, intervalMs: 500 });
      // A complete of an expired upload is 404 swept or not: the record itself is read.
      expect(await records()).toBe(0);
    } finally {
      await db.end();
    }
    const late = await api(cluster.gatewayUrl, alice.auth.token, 'POST', `/api/uploads/${ticket.uploadId}/complete`);
    expect(late.status).toBe(404);
  }, 190_000);
});
