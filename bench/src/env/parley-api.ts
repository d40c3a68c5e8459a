import { io, type Socket } from 'socket.io-client';
import { authResultSchema, COMMAND_SCHEMAS } from '@parley/protocol';
import { TEST_PASSWORD } from '@parley/testing';

/** A registered account: the bench drives it through REST and Socket.IO like a client. */
export interface BenchUser {
  id: string;
  username: string;
  /** Access token (15 minutes): renewed in place by refreshStaleTokens. */
  token: string;
  refreshToken: string;
  /** Epoch ms of the expiry of `token`. */
  expiresAt: number;
}


type AckBody = { ok: true; [k: string]: unknown } | { ok: false; error: { code: string; message: string } };

export async function boundedAll<T, R>(items: readonly T[], concurrency: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  // One queue for all the lanes: each takes the next item when it is free.
  const queue = items.entries();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (const [i, item] of queue) out[i] = await fn(item, i);
    }),
  );
  return out;
}

/** Registers accounts through `POST /api/auth/register` (argon2id on the gateway), a few at a time. */
export async function registerUsers(gatewayUrl: string, count: number, concurrency: number, tag: string): Promise<BenchUser[]> {
  return boundedAll(Array.from({ length: count }, (_, i) => i), concurrency, async (i) => {
    const username = `b${tag}_${i}`;
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${gatewayUrl}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: TEST_PASSWORD }),
      });
      if (res.status === 201) {
        const body = authResultSchema.parse(await res.json());
        if (!body.refreshToken) throw new Error(`register ${username}: no refresh token in the answer`);
        return { id: body.user.id, username, token: body.token, refreshToken: body.refreshToken, expiresAt: body.expiresAt };
      }
      if ((res.status === 429 || res.status === 503) && attempt < 20) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      throw new Error(`register ${username}: ${res.status} ${await res.text()}`);
    }
  });
}

/**
 * Access tokens live 15 minutes and a socket is dropped when its token
 * expires: before a scenario opens sessions, the accounts whose token
 * expires within `minLifeMs` trade their refresh token for a new pair
 * (`POST /api/auth/refresh`: a hash lookup, no argon2). Updates the users in place.
 */
export async function refreshStaleTokens(gatewayUrl: string, users: readonly BenchUser[], minLifeMs = 8 * 60_000, concurrency = 16): Promise<number> {
  const stale = users.filter((u) => u.expiresAt - Date.now() < minLifeMs);
  await boundedAll(stale, concurrency, async (u) => {
    const res = await fetch(`${gatewayUrl}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: u.refreshToken }),
    });
    if (res.status !== 200) throw new Error(`refresh ${u.username}: ${res.status} ${await res.text()}`);
    const body = authResultSchema.parse(await res.json());
    if (!body.refreshToken) throw new Error(`refresh ${u.username}: no refresh token in the answer`);
    u.token = body.token;
    u.refreshToken = body.refreshToken;
    u.expiresAt = body.expiresAt;
  });
  return stale.length;
}

export function connectAs(url: string, token: string): Promise<Socket> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

export async function command<T = Record<string, unknown>>(socket: Socket, name: string, payload: unknown, timeoutMs = 30_000): Promise<T> {
  const ack = (await socket.timeout(timeoutMs).emitWithAck(name, payload)) as AckBody;
  if (!ack.ok) throw new CommandError(name, ack.error.code, ack.error.message);
  return ack as unknown as T;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly code: string,
    message: string,
  ) {
    super(`${command}: ${code} ${message}`);
  }
}

export function hasCommand(name: string): boolean {
  return name in COMMAND_SCHEMAS;
}

/** Runs `fn` with a short-lived session of `user`. */
export async function withSession<R>(url: string, user: BenchUser, fn: (s: Socket) => Promise<R>): Promise<R> {
  const socket = await connectAs(url, user.token);
  try {
    return await fn(socket);
  } finally {
    socket.close();
  }
}

/**
 * Makes each pair friends when the protocol has friend requests (direct
 * messages may be friends-only); a no-op otherwise. A pair that is already
 * friends (CONFLICT) is left as it is.
 */
export async function befriendPairs(url: string, pairs: readonly [BenchUser, BenchUser][], concurrency: number): Promise<'befriended' | 'not-needed'> {
  if (!hasCommand('friend:request') || !hasCommand('friend:respond')) return 'not-needed';
  await boundedAll(pairs, concurrency, async ([a, b]) => {
    const [sa, sb] = await Promise.all([connectAs(url, a.token), connectAs(url, b.token)]);
    try {
      const { request } = await command<{ request: { id: string } }>(sa, 'friend:request', { userId: b.id });
      await command(sb, 'friend:respond', { requestId: request.id, accept: true });
    } catch (err) {
      if (!(err instanceof CommandError && err.code === 'CONFLICT')) throw err;
    } finally {
      sa.close();
      sb.close();
    }
  });
  return 'befriended';
}

/**
 * Makes `owner` friends with each of `others` (as befriendPairs) over one
 * session of the owner: S7 befriends 9,999 members with one owner.
 */
async function befriendAll(url: string, owner: BenchUser, others: readonly BenchUser[], concurrency: number): Promise<void> {
  if (!hasCommand('friend:request') || !hasCommand('friend:respond')) return;
  await withSession(url, owner, (so) =>
    boundedAll(others, concurrency, async (other) => {
      const s = await connectAs(url, other.token);
      try {
        const { request } = await command<{ request: { id: string } }>(so, 'friend:request', { userId: other.id });
        await command(s, 'friend:respond', { requestId: request.id, accept: true });
      } catch (err) {
        if (!(err instanceof CommandError && err.code === 'CONFLICT')) throw err;
      } finally {
        s.close();
      }
    }),
  );
}

const CREATE_LIMIT = 500;

/** What group:create and group:invite answer with: who joined at once and who was only asked. */
interface AddedMembers {
  group: { id: string; memberCount: number };
  invitations?: { id: string; inviteeId: string }[];
}

/**
 * Creates a group owned by `owner` with `members` (owner excluded): up to 500
 * at creation, the rest with `group:invite` in chunks of 500 when the
 * protocol has it. The members are befriended with the owner first, so they
 * join at once; anyone who was only invited (an invitation came back) accepts
 * it with their own session, so nobody is left pending.
 * Returns the group id and its member count as the server reports it.
 */
export async function createGroup(url: string, owner: BenchUser, members: readonly BenchUser[], name: string): Promise<{ groupId: string; memberCount: number; invitationsAccepted: number; note?: string }> {
  await befriendAll(url, owner, members, 16);
  const invited: { id: string; inviteeId: string }[] = [];
  const created = await withSession(url, owner, async (s) => {
    const first = members.slice(0, CREATE_LIMIT).map((m) => m.id);
    const { group, invitations } = await command<AddedMembers>(s, 'group:create', { name, memberIds: first });
    invited.push(...(invitations ?? []));
    let note: string | undefined;
    for (let i = CREATE_LIMIT; i < members.length && hasCommand('group:invite'); i += CREATE_LIMIT) {
      const userIds = members.slice(i, i + CREATE_LIMIT).map((m) => m.id);
      try {
        const res = await command<AddedMembers>(s, 'group:invite', { groupId: group.id, userIds });
        invited.push(...(res.invitations ?? []));
      } catch (err) {
        note = `group:invite failed: ${err instanceof Error ? err.message : String(err)}`;
        break;
      }
    }
    return { groupId: group.id, note };
  });
  const byId = new Map(members.map((m) => [m.id, m]));
  await boundedAll(invited, 16, async (inv) => {
    const invitee = byId.get(inv.inviteeId);
    if (!invitee) throw new Error(`group ${name}: invitation for ${inv.inviteeId}, not one of the members asked`);
    await withSession(url, invitee, (s) => command(s, 'group:invitation:respond', { invitationId: inv.id, accept: true }));
  });
  // The count after every join, from the server.
  const memberCount = await withSession(url, owner, async (s) => {
    const res = await command<{ group: { memberCount: number } }>(s, 'group:info', { groupId: created.groupId });
    return res.group.memberCount;
  });
  return { ...created, memberCount, invitationsAccepted: invited.length };
}
