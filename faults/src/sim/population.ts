import crypto from 'node:crypto';
import { COMMAND_SCHEMAS, ParleyError, type NewMessageTarget } from '@parley/protocol';
import { SIM_PASSWORD, SimUser } from './sim-user';
import { mapLimit } from './stats';

/** A conversation of the run: its members (every one is owed every message) and how a sender addresses it. */
export interface SimConversation {
  /** The protocol's conversation id: d:<a>:<b> (sorted) or g:<groupId>. */
  conversationId: string;
  kind: 'direct' | 'group';
  members: SimUser[];
  targetFor(sender: SimUser): NewMessageTarget;
}

export interface PopulationOptions {
  /** Gateway URLs; users are spread over them round-robin. */
  gatewayUrls: readonly string[];
  count: number;
  /** Username prefix (letters/digits/_ only), unique per run. */
  prefix: string;
  log: (line: string) => void;
}

/** Registers and connects `count` users through the client library. */
export async function createPopulation(options: PopulationOptions): Promise<SimUser[]> {
  const tag = crypto.randomBytes(3).toString('hex');
  const users = Array.from({ length: options.count }, (_, i) => {
    const gatewayUrl = options.gatewayUrls[i % options.gatewayUrls.length];
    if (gatewayUrl === undefined) throw new Error('createPopulation needs at least one gateway URL');
    return new SimUser(`${options.prefix}_${tag}_${i}`, gatewayUrl, { gatewayUrl, backoff: { initialMs: 100, maxMs: 2_000 } });
  });
  // Registration hashes a password (argon2id) at the gateway: a few at a time.
  await mapLimit(users, 6, (u) => u.client.register(u.username, SIM_PASSWORD));
  options.log(`registered ${users.length} users`);
  await mapLimit(users, 20, (u) => u.client.connect());
  options.log(`connected ${users.length} users`);
  return users;
}

/**
 * Makes a and b friends when the protocol has friend commands (direct
 * messages may require it); a server without them is left alone.
 */
export async function befriend(a: SimUser, b: SimUser): Promise<boolean> {
  if (!('friend:request' in COMMAND_SCHEMAS) || !('friend:respond' in COMMAND_SCHEMAS)) return false;
  try {
    const { request } = await paced(() => a.client.command('friend:request', { userId: b.id }));
    // A request that the server accepted at once (e.g. mutual) needs no answer.
    if (request.status !== 'pending') return true;
    await paced(() => b.client.command('friend:respond', { requestId: request.id, accept: true }));
    return true;
  } catch (err) {
    if (err instanceof ParleyError && err.code === 'CONFLICT') return true; // already friends
    throw err;
  }
}

export function directConversation(a: SimUser, b: SimUser): SimConversation {
  const [x, y] = [a.id, b.id].sort();
  return {
    conversationId: `d:${x}:${y}`,
    kind: 'direct',
    members: [a, b],
    targetFor: (sender) => ({ type: 'user', id: sender === a ? b.id : a.id }),
  };
}

/**
 * A group of `owner` and `others`. Strangers are only invited, so the others
 * are befriended with the owner first (added at creation, as before); one
 * that could not be befriended accepts its invitation instead.
 */
export async function createGroup(owner: SimUser, others: SimUser[], name: string): Promise<SimConversation> {
  await mapLimit(others, 10, (u) => befriend(owner, u).catch(() => false));
  const { group, invitations } = await paced(() => owner.client.command('group:create', { name, memberIds: others.map((u) => u.id) }));
  for (const invitation of invitations) {
    const invitee = others.find((u) => u.id === invitation.inviteeId);
    await invitee?.client.command('group:invitation:respond', { invitationId: invitation.id, accept: true });
  }
  return {
    conversationId: `g:${group.id}`,
    kind: 'group',
    members: [owner, ...others],
    targetFor: () => ({ type: 'group', id: group.id }),
  };
}

/**
 * The mixed workload's conversations: users paired into direct chats
 * (0-1, 2-3, …; befriended first when the protocol has friends) and
 * `groupCount` groups, user i in group i mod groupCount. A pair that cannot
 * be befriended (a server in the middle of an upgrade) chats in a group of
 * two instead, so the run still measures delivery; the log says so.
 */
export async function createConversations(
  users: SimUser[],
  groupCount: number,
  log: (line: string) => void,
): Promise<SimConversation[]> {
  const pairs = users.flatMap((a, i): [SimUser, SimUser][] => {
    const b = users[i + 1];
    return i % 2 === 0 && b ? [[a, b]] : [];
  });
  let fallbacks = 0;
  const conversations = await mapLimit(pairs, 10, async ([a, b], i) => {
    try {
      await befriend(a, b);
      return directConversation(a, b);
    } catch (err) {
      if (++fallbacks === 1) log(`befriending failed (${String(err)}): pairs chat in groups of two instead`);
      return createGroup(a, [b], `faults-pair-${i}`);
    }
  });
  const groups = Array.from({ length: Math.min(groupCount, users.length) }, (_, g) =>
    users.filter((_, i) => i % groupCount === g),
  ).filter((members): members is [SimUser, SimUser, ...SimUser[]] => members.length >= 2);
  conversations.push(
    ...(await mapLimit(groups, 4, ([owner, ...others], g) => createGroup(owner, others, `faults-${g}`))),
  );
  log(`created ${pairs.length - fallbacks} direct chats, ${fallbacks} pair groups and ${groups.length} groups`);
  return conversations;
}

/**
 * Runs a setup command again after the wait a RATE_LIMITED answer names:
 * setting up a population spends more of one connection's command budget
 * than a person would (an owner befriending a whole group).
 */
async function paced<T>(command: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await command();
    } catch (err) {
      if (!(err instanceof ParleyError && err.code === 'RATE_LIMITED') || attempt >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, err.retryAfterMs ?? 250));
    }
  }
}
