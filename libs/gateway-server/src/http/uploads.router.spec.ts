import fs from 'node:fs';
import http, { type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { FsBlobStore, SharpMediaInspector, SignedBlobLinks } from '@parley/attachments';
import { jpegWithExif } from '@parley/attachments/testing';
import { AttachmentService, MessagingService, type Store } from '@parley/domain';
import { RecordingNotifier, sequenceIds } from '@parley/domain/testing';
import type { AttachmentLink, UploadTicket } from '@parley/protocol';
import { ParleyError } from '@parley/protocol';
import { SqliteStore } from '@parley/store';
import { routeSpecApp } from '../testing/route-spec-app';
import { listenApp } from '../testing/listen-app';

/**
 * The upload, attachment and blob routes on the real Express app, over the
 * real AttachmentService (SQLite, a blob directory, sharp), as clients call
 * them. Tokens are the user id (a stub session service).
 */
describe('upload, attachment and blob routes', () => {
  const SECRET = 'a-jwt-secret-of-enough-length-for-the-test-0123456789';
  let store: Store;
  let dir: string;
  let server: Server;
  let base: string;
  let messaging: MessagingService;

  beforeAll(async () => {
    store = new SqliteStore({ filename: ':memory:' });
    await store.migrate();
    for (const id of ['alice', 'bob', 'eve']) await store.createUser({ id, username: id, displayName: id, passwordHash: 'x', createdAt: Date.now() });
    const request = await store.createFriendRequest({ id: 'fr1', fromUserId: 'alice', toUserId: 'bob', note: null, createdAt: Date.now() });
    await store.resolveFriendRequest(request.id, 'accepted', Date.now());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-routes-'));
    const blobs = new FsBlobStore(dir);
    const links = new SignedBlobLinks(SECRET);
    const clock = { now: () => Date.now() };
    const service = new AttachmentService({ store, blobs, inspector: new SharpMediaInspector(), links, ids: sequenceIds('up'), clock, options: { maxBytes: 64 * 1024, ttlSec: 600 } });
    messaging = new MessagingService({ store, notifier: new RecordingNotifier(), ids: sequenceIds('m'), clock, attachments: service });
    const sessions = {
      authenticate: async (token: string) => {
        if (!['alice', 'bob', 'eve'].includes(token)) throw new ParleyError('UNAUTHORIZED', 'bad token');
        return { userId: token, username: token, sessionId: `s-${token}` };
      },
    };
    const app = routeSpecApp({
      sessions,
      attachments: { service, links, blobs },
    });
    ({ server, base } = await listenApp(app));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const call = async <T>(method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; body: T & { code?: string }; headers: Headers }> => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : {}) as T & { code?: string }, headers: res.headers };
  };
  const put = (url: string, bytes: Buffer, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${base}${url}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', ...headers }, body: new Uint8Array(bytes) });
  const ticketFor = async (user: string, name: string, size: number): Promise<UploadTicket> => {
    const res = await call<UploadTicket>('POST', '/api/uploads', user, { name, size });
    expect(res.status).toBe(201);
    return res.body;
  };

  it('takes a ticket only with a bearer token, and refuses a size over the limit with 413', async () => {
    expect((await call('POST', '/api/uploads', undefined, { name: 'a', size: 1 })).status).toBe(401);
    expect((await call('POST', '/api/uploads', 'alice', { name: 'a', size: 64 * 1024 + 1 })).body.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await call('POST', '/api/uploads', 'alice', { name: 'a', size: 1, owner: 'bob' })).status).toBe(400);
  });

  it('receives the bytes on the signed URL once, and refuses a forged or swapped token', async () => {
    const ticket = await ticketFor('alice', 'note.txt', 5);
    const other = await ticketFor('alice', 'other.txt', 5);
    const token = new URL(ticket.url, base).searchParams.get('t') ?? '';
    expect((await put(`/api/uploads/${other.uploadId}/content?t=${token}`, Buffer.from('hello'))).status).toBe(403);
    expect((await put(ticket.url.replace(/t=\d+/, 't=99999999999999'), Buffer.from('hello'))).status).toBe(403);
    expect((await put(ticket.url, Buffer.from('hello'))).status).toBe(204);
    expect((await put(ticket.url, Buffer.from('again'))).status).toBe(409);
  });

  it('refuses more bytes than the ticket allows with 413, by Content-Length and by counting a chunked body', async () => {
    const ticket = await ticketFor('alice', 'small.bin', 10);
    const declared = await put(ticket.url, Buffer.alloc(11));
    expect(declared.status).toBe(413);
    // No Content-Length: a stream, counted as it arrives.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new Uint8Array(8));
        controller.close();
      },
    });
    const counted = await fetch(`${base}${ticket.url}`, { method: 'PUT', body: stream, duplex: 'half' } as RequestInit);
    expect(counted.status).toBe(413);
    expect(fs.existsSync(path.join(dir, ticket.uploadId))).toBe(false);
    // Within the size it still works afterwards.
    expect((await put(ticket.url, Buffer.alloc(10, 1))).status).toBe(204);
  });

  it('lets only the owner complete an upload, and only members fetch the attachment: the bytes served safely', async () => {
    const photo = await jpegWithExif(200, 100);
    const ticket = await ticketFor('alice', 'photo.jpg', photo.length);
    expect((await put(ticket.url, photo)).status).toBe(204);
    expect((await call('POST', `/api/uploads/${ticket.uploadId}/complete`, 'eve')).status).toBe(404);
    const completed = await call<{ attachment: { width: number; height: number } }>('POST', `/api/uploads/${ticket.uploadId}/complete`, 'alice');
    expect(completed.body.attachment).toMatchObject({ width: 100, height: 200 });
    // Not sent yet: nobody has a link, not even the owner.
    expect((await call('GET', `/api/attachments/${ticket.uploadId}`, 'alice')).status).toBe(404);
    await messaging.send('alice', { to: { type: 'user', id: 'bob' }, clientMsgId: 'c1', kind: 'image', body: { attachmentId: ticket.uploadId } });
    expect((await call('GET', `/api/attachments/${ticket.uploadId}`, 'eve')).status).toBe(404);
    const link = await call<AttachmentLink>('GET', `/api/attachments/${ticket.uploadId}`, 'bob');
    expect(link.status).toBe(200);
    const res = await fetch(`${base}${link.body.url}`);
    expect(res.status).toBe(200);
    expect(Object.fromEntries(['content-type', 'x-content-type-options', 'content-security-policy', 'cache-control'].map((h) => [h, res.headers.get(h)]))).toEqual({
      'content-type': 'image/jpeg',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'private, max-age=300',
    });
    expect(res.headers.get('content-disposition')).toMatch(/^inline; /);
    expect((await sharp(Buffer.from(await res.arrayBuffer())).metadata()).exif).toBeUndefined();
    const thumbnail = await fetch(`${base}${link.body.thumbnailUrl ?? ''}`);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    // A link for one key does not open another.
    expect((await fetch(`${base}${(link.body.thumbnailUrl ?? '').replace('.thumb', '')}`)).status).toBe(403);
    expect((await fetch(`${base}/api/blobs/${ticket.uploadId}`)).status).toBe(400);
  });

  it('stores one copy when a hundred PUTs of one upload arrive at once', async () => {
    const ticket = await ticketFor('bob', 'race.bin', 4);
    // At most 50 connections (fetch would open a thousand sockets, and the test would measure the kernel's backlog).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
    const putOnce = (bytes: Buffer): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = http.request(`${base}${ticket.url}`, { method: 'PUT', agent, headers: { 'content-length': bytes.length } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(bytes);
      });
    const statuses = await Promise.all(Array.from({ length: 100 }, (_, i) => putOnce(Buffer.from(String(i % 10).repeat(4)))));
    agent.destroy();
    expect(statuses.filter((s) => s === 204)).toHaveLength(1);
    expect(new Set(statuses.filter((s) => s !== 204))).toEqual(new Set([409]));
    expect(fs.readdirSync(dir).filter((f) => f === ticket.uploadId)).toHaveLength(1);
  });
});
