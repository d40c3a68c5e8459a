import type Redis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { systemClock, type Clock, type HeartbeatResult, type Presence, type SessionChange, type SessionRef } from '@parley/domain';
import { ParleyError, type PresenceInfo } from '@parley/protocol';
import { createRedisClient } from './redis-client';
import * as lua from './presence.redis.lua';

export interface RedisPresenceOptions {
  /**
   * Prefix of every key this engine touches. The client's own ioredis
   * `keyPrefix` must be unset: most keys are derived inside Lua scripts.
   * @default 'parley:'
   */
  keyPrefix?: string;
  /** @default systemClock */
  clock?: Clock;
  /**
   * ioredis options used when RedisPresence is given a URL (merged over
   * FAIL_FAST_REDIS_OPTIONS); ignored when it is given a client.
   */
  redis?: RedisOptions;
  /** Connection errors of a client created from a URL. @default ignored */
  onError?: (err: Error) => void;
  /** Longest a ping() waits for Redis's answer (readiness checks). @default 1_000 */
  pingTimeoutMs?: number;
  /**
   * Sessions per script call in restoreSessions, so one huge node does not
   * block Redis in a single long script.
   * @default 500
   */
  restoreBatchSize?: number;
}

type Script = (...args: (string | number)[]) => Promise<unknown>;

/** The commands defined on the client by RedisPresence (names are unique to this engine). */
interface PresenceScripts {
  parleyPresenceAdd: Script;
  parleyPresenceRemove: Script;
  parleyPresenceHeartbeat: Script;
  parleyPresenceRestore: Script;
  parleyPresenceRemoveNode: Script;
  parleyPresenceSweep: Script;
  parleyPresenceQuery: Script;
  parleyPresenceSetVisibility: Script;
  parleyPresenceAway: Script;
}

const SCRIPTS: Record<keyof PresenceScripts, string> = {
  parleyPresenceAdd: lua.ADD_SESSION,
  parleyPresenceRemove: lua.REMOVE_SESSION,
  parleyPresenceHeartbeat: lua.HEARTBEAT,
  parleyPresenceRestore: lua.RESTORE_SESSIONS,
  parleyPresenceRemoveNode: lua.REMOVE_NODE,
  parleyPresenceSweep: lua.SWEEP,
  parleyPresenceQuery: lua.QUERY,
  parleyPresenceSetVisibility: lua.SET_VISIBILITY,
  parleyPresenceAway: lua.AWAY_USERS,
};

/**
 * Presence in Redis (see presence.redis.lua.ts for the data model). Every
 * operation is one Lua script, hence atomic across nodes; ioredis re-sends
 * the script body when Redis lost its script cache (NOSCRIPT after a
 * restart). Any Redis failure surfaces as ParleyError('UNAVAILABLE').
 */
export class RedisPresence implements Presence {
  private readonly client: Redis;
  private readonly scripts: PresenceScripts;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly restoreBatchSize: number;
  private readonly pingTimeoutMs: number;

  /** Given a client, the caller keeps owning it (close() leaves it open). */
  constructor(client: Redis | string, options: RedisPresenceOptions = {}) {
    this.ownsClient = typeof client === 'string';
    this.client = typeof client === 'string' ? createRedisClient(client, options.redis, options.onError) : client;
    this.prefix = options.keyPrefix ?? 'parley:';
    this.clock = options.clock ?? systemClock;
    this.restoreBatchSize = options.restoreBatchSize ?? 500;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 1_000;
    for (const [name, body] of Object.entries(SCRIPTS)) {
      this.client.defineCommand(name, { numberOfKeys: 0, lua: body });
    }
    // defineCommand added these methods to the instance at run time.
    this.scripts = this.client as unknown as PresenceScripts;
  }

  addSession(userId: string, sessionId: string, nodeId: string): Promise<SessionChange> {
    return this.run(async () => {
      const first = await this.scripts.parleyPresenceAdd(this.prefix, userId, sessionId, nodeId, this.clock.now());
      return { firstSession: first === 1, lastSession: false };
    });
  }

  removeSession(userId: string, sessionId: string, nodeId: string): Promise<SessionChange> {
    return this.run(async () => {
      const last = await this.scripts.parleyPresenceRemove(this.prefix, userId, sessionId, nodeId, this.clock.now());
      return { firstSession: false, lastSession: last === 1 };
    });
  }

  query(userIds: readonly string[]): Promise<PresenceInfo[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.run(async () => {
      const flat = asArray(await this.scripts.parleyPresenceQuery(this.prefix, ...userIds));
      return userIds.map((userId, i) => {
        const lastSeen = String(flat[2 * i + 1] ?? '');
        return { userId, online: flat[2 * i] === 1, lastSeenAt: lastSeen === '' ? null : Number(lastSeen) };
      });
    });
  }

  heartbeat(nodeId: string, ttlMs: number): Promise<HeartbeatResult> {
    if (!(ttlMs > 0)) return Promise.reject(new ParleyError('INVALID_ARGUMENT', 'heartbeat ttlMs must be positive'));
    return this.run(async () => {
      const was = await this.scripts.parleyPresenceHeartbeat(this.prefix, nodeId, Math.ceil(ttlMs));
      return { wasAlive: was === 1 };
    });
  }

  restoreSessions(nodeId: string, sessions: readonly SessionRef[]): Promise<string[]> {
    return this.run(async () => {
      const online = new Set<string>();
      for (let i = 0; i < sessions.length; i += this.restoreBatchSize) {
        const args: string[] = [];
        for (const s of sessions.slice(i, i + this.restoreBatchSize)) args.push(s.userId, s.sessionId);
        const users = await this.scripts.parleyPresenceRestore(this.prefix, nodeId, this.clock.now(), ...args);
        for (const u of asArray(users)) online.add(String(u));
      }
      return [...online];
    });
  }

  removeNode(nodeId: string): Promise<string[]> {
    return this.run(async () =>
      asStrings(await this.scripts.parleyPresenceRemoveNode(this.prefix, nodeId, this.clock.now())),
    );
  }

  sweep(): Promise<string[]> {
    return this.run(async () => asStrings(await this.scripts.parleyPresenceSweep(this.prefix, this.clock.now())));
  }

  setVisibility(userId: string, sessionId: string, visible: boolean, at: number): Promise<void> {
    return this.run(async () => {
      await this.scripts.parleyPresenceSetVisibility(this.prefix, userId, sessionId, visible ? 1 : 0, at);
    });
  }

  /** One script call for all the users (a batch of messages' recipients). */
  awayUsers(userIds: readonly string[], now: number, hiddenForMs: number): Promise<Set<string>> {
    if (userIds.length === 0) return Promise.resolve(new Set());
    return this.run(async () => new Set(asStrings(await this.scripts.parleyPresenceAway(this.prefix, now, hiddenForMs, ...userIds))));
  }

  /**
   * PING, failing at once while the connection is lost (a command would wait
   * in the offline queue for a reconnect) and after pingTimeoutMs on a hung
   * server (the client's own command timeout is longer). A first connection
   * still under way is waited for, within the timeout.
   */
  ping(): Promise<void> {
    if (LOST_CONNECTION.has(this.client.status)) {
      return Promise.reject(new ParleyError('UNAVAILABLE', `presence store unavailable (connection ${this.client.status})`));
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no PING answer within ${this.pingTimeoutMs} ms`)), this.pingTimeoutMs);
    });
    return this.run(async () => {
      await Promise.race([this.client.ping(), timeout]);
    }).finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return;
    // quit() waits for pending replies but would hang on a dead connection.
    if (this.client.status === 'ready') {
      await this.client.quit().catch(() => this.client.disconnect());
    } else {
      this.client.disconnect();
    }
  }

  private async run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (err instanceof ParleyError) throw err;
      throw new ParleyError('UNAVAILABLE', 'presence store unavailable', { cause: err });
    }
  }
}

/** ioredis client states in which a command cannot be answered until a reconnect. */
const LOST_CONNECTION: ReadonlySet<string> = new Set(['reconnecting', 'close', 'end']);

function asArray(reply: unknown): unknown[] {
  if (!Array.isArray(reply)) throw new Error(`unexpected presence script reply: ${String(reply)}`);
  return reply;
}

function asStrings(reply: unknown): string[] {
  return asArray(reply).map(String);
}
