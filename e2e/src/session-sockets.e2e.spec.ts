import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { io, type Socket } from 'socket.io-client';
import { ParleyClient } from '@parley/client';
import type { Ack, AuthResult, ClientToServerEvents, CommandInput, CommandName, CommandResults, ServerToClientEvents, SessionEndReason } from '@parley/protocol';
import { TEST_PASSWORD, at, findFreePort, spawnApp, startCluster, terminate, type Cluster, type ClusterProcess } from '@parley/testing';
import { jsonBytes, openRawRelay } from './support/raw-relay';
import { uniqueName } from './support/test-user';

/** Lifetime of the hand-made short tokens: the expiry tests wait it out, so it stays well above a loaded machine's handshake and renewal times. */
const SHORT_TOKEN_SEC = 8;

jest.setTimeout(120_000);

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** One socket, watched from before its handshake: the session:ended it got and how it was disconnected. */
class WatchedSocket {
  readonly ended: SessionEndReason[] = [];
  disconnectReason: string | undefined;

  private constructor(readonly socket: ClientSocket) {
    socket.on('session:ended', ({ reason }) => this.ended.push(reason));
    socket.on('disconnect', (reason) => (this.disconnectReason = reason));
  }

  /** Connects, or rejects with the handshake's refusal (`err.message`). */
  static async open(url: string, token: string): Promise<WatchedSocket> {
    const socket: ClientSocket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    const watched = new WatchedSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
    });
    return watched;
  }

  command<K extends CommandName>(name: K, payload: CommandInput<K>): Promise<Ack<CommandResults[K]>> {
    const emit = this.socket.timeout(10_000).emitWithAck as unknown as (ev: string, p: unknown) => Promise<Ack<CommandResults[K]>>;
    return emit.call(this.socket, name, payload);
  }

  /** Resolves once the server ended this socket; says what it saw. */
  async endedBy(timeoutMs = 15_000): Promise<{ ended: SessionEndReason[]; disconnect: string | undefined }> {
    await until(() => this.disconnectReason !== undefined, timeoutMs, 'the socket was not disconnected');
    return { ended: this.ended, disconnect: this.disconnectReason };
  }

  close(): void {
    this.socket.close();
  }
}

async function until(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A session's sockets across the MySQL/Redis cluster: two gateways, two IM
 * nodes, every node with a relay stream to each gateway. A logout served by
 * one gateway ends the session's sockets on every node at once; a socket
 * past its token's expiry ends too; a renewed one lives on; nobody else's
 * token, and no node, can end or extend someone's session.
 */
describe('session sockets on two gateways and two nodes', () => {
  let cluster: Cluster;
  const opened: WatchedSocket[] = [];
  const clients: ParleyClient[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, gateways: 2, name: 'session-sockets' });
  }, 120_000);

  afterAll(async () => {
    for (const s of opened) s.close();
    for (const c of clients) await c.close();
    await cluster?.stop();
  });

  const gateway = (i: number): string => at(cluster.gatewayUrls, i, 'gateway');
  const node = (i: number): string => at(cluster.nodes, i, 'IM node').url;
  const call = async (gatewayUrl: string, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${gatewayUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const register = async (prefix: string): Promise<AuthResult & { username: string }> => {
    const username = uniqueName(prefix);
    const res = await call(gateway(0), 'POST', '/api/auth/register', undefined, { username, password: TEST_PASSWORD });
    expect(res.status).toBe(201);
    return { ...(res.body as unknown as AuthResult), username };
  };
  /** Another sign-in (device) of the same account. */
  const login = async (username: string, password = TEST_PASSWORD): Promise<AuthResult> => {
    const res = await call(gateway(1), 'POST', '/api/auth/login', undefined, { username, password });
    expect(res.status).toBe(200);
    return res.body as unknown as AuthResult;
  };
  const open = async (nodeIndex: number, token: string): Promise<WatchedSocket> => {
    const s = await WatchedSocket.open(node(nodeIndex), token);
    opened.push(s);
    return s;
  };
  const refusal = (nodeIndex: number, token: string): Promise<string> =>
    WatchedSocket.open(node(nodeIndex), token).then(
      (s) => {
        s.close();
        return 'connected';
      },
      (err: Error) => err.message,
    );
  /** An access token for a real session that expires in `seconds`, signed as the gateway signs (a short PARLEY_JWT_TTL_SECONDS). */
  const shortToken = (auth: AuthResult & { username: string }, seconds: number): { token: string; expiresAt: number } => {
    // Rounded up: the token lives at least `seconds`, however close to a second boundary it was made.
    const exp = Math.ceil(Date.now() / 1000) + seconds;
    const token = jwt.sign({ sub: auth.user.id, name: auth.username, sid: auth.sessionId, exp }, cluster.jwtSecret, {
      algorithm: 'HS256',
      issuer: 'parley',
      audience: 'parley-im',
    });
    return { token, expiresAt: exp * 1000 };
  };
  const works = async (s: WatchedSocket): Promise<boolean> => (await s.command('conversation:list', {})).ok;

  it("logout everywhere on one gateway ends the session's sockets on both nodes at once; another user's are untouched", async () => {
    const ann = await register('ss-ann');
    const annPhone = await login(ann.username);
    const bob = await register('ss-bob');
    const annOnNode1 = await open(0, ann.token);
    const annOnNode2 = await open(1, ann.token);
    const annPhoneOnNode2 = await open(1, annPhone.token);
    const bobOnNode2 = await open(1, bob.token);

    // Served by the second gateway; the sockets were opened through nobody in particular.
    expect((await call(gateway(1), 'POST', '/api/auth/logout-all', ann.token)).status).toBe(204);

    for (const s of [annOnNode1, annOnNode2, annPhoneOnNode2]) {
      expect(await s.endedBy()).toEqual({ ended: ['logout-all'], disconnect: 'io server disconnect' });
    }
    expect(await works(bobOnNode2)).toBe(true);
    expect(bobOnNode2.ended).toEqual([]);
    // The access tokens are still within their lifetime, and still refused: the handshake asks the store.
    expect(await refusal(0, ann.token)).toBe('UNAUTHORIZED');
    expect(await refusal(1, annPhone.token)).toBe('UNAUTHORIZED');
    expect(await refusal(1, bob.token)).toBe('connected');
  });

  it("a password change ends the account's other sessions' sockets, not the one that changed it", async () => {
    const cy = await register('ss-cy');
    const cyLaptop = await login(cy.username);
    const changer = await open(0, cy.token);
    const other = await open(1, cyLaptop.token);
    const sameSessionElsewhere = await open(1, cy.token);

    const changed = await call(gateway(1), 'POST', '/api/me/password', cy.token, { currentPassword: TEST_PASSWORD, newPassword: 'harbor-quince-lantern-77' });
    expect(changed.status).toBe(204);

    expect(await other.endedBy()).toEqual({ ended: ['password-changed'], disconnect: 'io server disconnect' });
    expect(await works(changer)).toBe(true);
    expect(await works(sameSessionElsewhere)).toBe(true);
    expect(changer.ended).toEqual([]);
    expect(await refusal(0, cyLaptop.token)).toBe('UNAUTHORIZED');
  });

  it("a replayed refresh token ends the session's sockets as used elsewhere, not as a sign-out; the account's other sessions stay", async () => {
    const eve = await register('ss-eve');
    const evePhone = await login(eve.username);
    const socket = await open(0, eve.token);
    const phoneSocket = await open(1, evePhone.token);
    const stolen = String(eve.refreshToken);
    // The honest client rotates; the thief then presents the copy it took before.
    expect((await call(gateway(0), 'POST', '/api/auth/refresh', undefined, { refreshToken: stolen })).status).toBe(200);
    const replay = await call(gateway(1), 'POST', '/api/auth/refresh', undefined, { refreshToken: stolen });
    expect({ status: replay.status, code: replay.body.code }).toEqual({ status: 401, code: 'UNAUTHORIZED' });

    expect(await socket.endedBy()).toEqual({ ended: ['refresh-reused'], disconnect: 'io server disconnect' });
    expect(await works(phoneSocket)).toBe(true);
    expect(phoneSocket.ended).toEqual([]);
  });

  it('deleting the account ends its sockets, and its tokens open none', async () => {
    const dee = await register('ss-dee');
    const socket = await open(1, dee.token);
    expect((await call(gateway(0), 'DELETE', '/api/me', dee.token, { password: TEST_PASSWORD })).status).toBe(204);
    expect(await socket.endedBy()).toEqual({ ended: ['account-deleted'], disconnect: 'io server disconnect' });
    expect(await refusal(0, dee.token)).toBe('UNAUTHORIZED');
  });

  it("a socket past its token's expiry gets session:ended expired; one renewed with auth:renew lives on; another user's or session's token renews nothing", async () => {
    const eve = await register('ss-eve');
    const eveTablet = await login(eve.username);
    const mallory = await register('ss-mallory');
    // Long enough for every step below before the expiry on a loaded machine; the expiry itself is waited for.
    const short = shortToken(eve, SHORT_TOKEN_SEC);
    const expiring = await open(0, short.token);
    const renewed = await open(1, short.token);

    // The attacker's tries on the expiring socket: a valid token of another user, and one of another session of the same user.
    for (const token of [mallory.token, eveTablet.token]) {
      const ack = await expiring.command('auth:renew', { token });
      expect(ack).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(await expiring.command('auth:renew', { token: `${short.token}x` })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    // The honest path: a fresh token of the same session (what a refresh gives).
    const fresh = await call(gateway(1), 'POST', '/api/auth/refresh', undefined, { refreshToken: eve.refreshToken });
    expect(fresh.status).toBe(200);
    expect(await renewed.command('auth:renew', { token: String(fresh.body.token) })).toEqual({ ok: true, expiresAt: fresh.body.expiresAt });

    expect(await expiring.endedBy(SHORT_TOKEN_SEC * 1000 + 15_000)).toEqual({ ended: ['expired'], disconnect: 'io server disconnect' });
    // Past the old expiry: the renewed socket still runs commands, and is never told its session ended.
    expect(Date.now()).toBeGreaterThanOrEqual(short.expiresAt);
    expect(await works(renewed)).toBe(true);
    expect(renewed.ended).toEqual([]);
    // An expired token opens nothing.
    expect(await refusal(1, short.token)).toBe('UNAUTHORIZED');
  });

  it('drops a session:end frame a node sends: only a gateway may end sessions', async () => {
    const fay = await register('ss-fay');
    const socket = await open(0, fay.token);
    const raw = openRawRelay(cluster, { nodeId: 'im-rogue' });
    raw.send({ hello: { nodeId: 'im-rogue', rooms: [] } });
    expect(await raw.welcome()).not.toBeNull();
    const to = [`user:${fay.user.id}`];
    const marker = uniqueName('after-forgery');
    raw.send(
      { publish: { rooms: to, event: 'session:end', payload: jsonBytes({ userId: fay.user.id, sessionIds: [fay.sessionId], reason: 'logout-all' }), messageId: uniqueName('f') } },
      { publish: { rooms: to, event: 'session:ended', payload: jsonBytes({ reason: 'logout-all' }), messageId: uniqueName('g') } },
      // The sentinel, after the forgeries on the same stream: once it is in, they were handled.
      { publish: { rooms: to, event: 'friend:update', payload: jsonBytes({ userId: marker, removed: true }), messageId: uniqueName('t') } },
    );
    const seen: unknown[] = [];
    socket.socket.on('friend:update', (update) => seen.push(update));
    await until(() => seen.length > 0, 10_000, 'the sentinel frame');
    expect(seen).toEqual([{ userId: marker, removed: true }]);
    raw.close();
    expect(socket.ended).toEqual([]);
    expect(await works(socket)).toBe(true);
    // The real gateway path still ends it.
    expect((await call(gateway(0), 'POST', '/api/auth/logout', fay.token)).status).toBe(204);
    expect(await socket.endedBy()).toEqual({ ended: ['logout'], disconnect: 'io server disconnect' });
  });

  it('the client SDK renews a short token on its live socket, and signs out when the session is ended elsewhere', async () => {
    const gus = await register('ss-gus');
    const short = shortToken(gus, SHORT_TOKEN_SEC);
    const client = new ParleyClient({ gatewayUrl: gateway(0), io });
    clients.push(client);
    client.useSession({ ...gus, ...short });
    const events: string[] = [];
    client.on('tokenRenewed', () => events.push('tokenRenewed'));
    client.on('reconnected', () => events.push('reconnected'));
    const signedOut = new Promise<{ reason: string }>((resolve) => client.on('signedOut', resolve));
    await client.connect();
    await until(() => events.includes('tokenRenewed'), SHORT_TOKEN_SEC * 1000 + 10_000, 'a renewal');
    // Past the first token's expiry the same socket still runs commands: it was renewed, not replaced.
    await until(() => Date.now() > short.expiresAt + 100, SHORT_TOKEN_SEC * 1000 + 10_000, 'the first token to expire');
    await expect(client.command('conversation:list', {})).resolves.toMatchObject({ conversations: [] });
    expect(events).toEqual(['tokenRenewed']);

    expect((await call(gateway(1), 'POST', '/api/auth/logout-all', client.session?.token)).status).toBe(204);
    expect(await signedOut).toEqual({ reason: 'logout-all' });
    expect(client.state).toBe('closed');
  });
});

/** Embedded mode (SQLite, one process, two IM nodes, the gateway's relay over loopback): the same ends. */
describe('session sockets in embedded mode', () => {
  let gatewayUrl = '';
  let proc: ClusterProcess | undefined;
  const jwtSecret = crypto.randomBytes(48).toString('base64url');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-session-sockets-'));
  const opened: WatchedSocket[] = [];

  beforeAll(async () => {
    for (let attempt = 1; !proc; attempt++) {
      const port = await findFreePort();
      try {
        proc = await spawnApp('session-sockets-embedded', 'apps/embedded/src/main.ts', 'Parley is running', {
          PARLEY_PORT: String(port),
          PARLEY_DATA_DIR: dataDir,
          PARLEY_STATIC_DIR: path.join(dataDir, 'no-web-client'),
          PARLEY_JWT_SECRET: jwtSecret,
          PARLEY_LOG_LEVEL: 'warn',
        });
        gatewayUrl = `http://127.0.0.1:${port}`;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  }, 120_000);

  afterAll(async () => {
    for (const s of opened) s.close();
    if (proc) await terminate(proc);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const post = async (p: string, token?: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${gatewayUrl}${p}`, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  /** Every node the gateway hands out, once each (two in embedded mode). */
  const nodeUrls = async (token: string): Promise<string[]> => {
    const res = await fetch(`${gatewayUrl}/api/nodes`, { headers: { authorization: `Bearer ${token}` } });
    const { nodes } = (await res.json()) as { nodes: { url: string }[] };
    return nodes.map((n) => n.url);
  };

  it('logout everywhere ends the sockets on both nodes; an expired token\'s socket ends as expired', async () => {
    const username = uniqueName('ss-emb');
    const reg = await post('/api/auth/register', undefined, { username, password: TEST_PASSWORD });
    expect(reg.status).toBe(201);
    const auth = reg.body as unknown as AuthResult;
    const urls = await nodeUrls(auth.token);
    expect(urls).toHaveLength(2);
    const sockets = await Promise.all(urls.map((url) => WatchedSocket.open(url, auth.token)));
    opened.push(...sockets);

    const exp = Math.ceil(Date.now() / 1000) + SHORT_TOKEN_SEC;
    const short = jwt.sign({ sub: auth.user.id, name: username, sid: auth.sessionId, exp }, jwtSecret, { algorithm: 'HS256', issuer: 'parley', audience: 'parley-im' });
    const expiring = await WatchedSocket.open(at(urls, 1, 'node'), short);
    opened.push(expiring);
    expect(await expiring.endedBy(SHORT_TOKEN_SEC * 1000 + 15_000)).toEqual({ ended: ['expired'], disconnect: 'io server disconnect' });
    for (const s of sockets) expect(s.ended).toEqual([]); // the session itself goes on

    expect((await post('/api/auth/logout-all', auth.token)).status).toBe(204);
    for (const s of sockets) expect(await s.endedBy()).toEqual({ ended: ['logout-all'], disconnect: 'io server disconnect' });
  });
});
