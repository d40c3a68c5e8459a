import { systemClock, type Clock, type HeartbeatResult, type Presence, type SessionChange, type SessionRef } from '@parley/domain';
import { ParleyError, type PresenceInfo } from '@parley/protocol';

export interface MemoryPresenceOptions {
  /** Drives liveness TTLs and lastSeenAt; inject a fake one in tests. @default systemClock */
  clock?: Clock;
}

/**
 * In-process Presence, the reference engine: one instance is shared by all
 * IM nodes of an embedded process. Same rules as RedisPresence: a session
 * counts only while its node's liveness has not expired, and whichever call
 * removes a user's last session record reports that user offline (dead
 * nodes' records are dropped whenever a user's sessions are looked at).
 */
export class MemoryPresence implements Presence {
  private readonly clock: Clock;
  /** userId -> sessionId -> nodeId */
  private readonly users = new Map<string, Map<string, string>>();
  /** nodeId -> sessionId -> userId; its keys are the nodes sweep looks at. */
  private readonly nodes = new Map<string, Map<string, string>>();
  /** nodeId -> liveness deadline (ms, clock time) */
  private readonly aliveUntil = new Map<string, number>();
  private readonly lastSeen = new Map<string, number>();
  /** userId -> sessionId -> hidden since (ms), 0 = visible; sessions that never reported are absent (visible). */
  private readonly hidden = new Map<string, Map<string, number>>();

  constructor(options: MemoryPresenceOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  async addSession(userId: string, sessionId: string, nodeId: string): Promise<SessionChange> {
    const firstSession = this.add(userId, sessionId, nodeId);
    this.lastSeen.set(userId, this.clock.now());
    return { firstSession, lastSession: false };
  }

  async removeSession(userId: string, sessionId: string, nodeId: string): Promise<SessionChange> {
    const sessions = this.users.get(userId);
    // Unknown (already swept) or recorded for another node: nothing changes.
    if (sessions?.get(sessionId) !== nodeId) return { firstSession: false, lastSession: false };
    this.forget(userId, sessionId, nodeId);
    if (this.liveCount(userId) > 0) return { firstSession: false, lastSession: false };
    this.lastSeen.set(userId, this.clock.now());
    return { firstSession: false, lastSession: true };
  }

  async query(userIds: readonly string[]): Promise<PresenceInfo[]> {
    return userIds.map((userId) => {
      const nodes = [...(this.users.get(userId)?.values() ?? [])];
      const online = nodes.some((node) => this.isAlive(node));
      return { userId, online, lastSeenAt: this.lastSeen.get(userId) ?? null };
    });
  }

  async heartbeat(nodeId: string, ttlMs: number): Promise<HeartbeatResult> {
    if (!(ttlMs > 0)) throw new ParleyError('INVALID_ARGUMENT', 'heartbeat ttlMs must be positive');
    const wasAlive = this.isAlive(nodeId);
    this.aliveUntil.set(nodeId, this.clock.now() + Math.ceil(ttlMs));
    if (!this.nodes.has(nodeId)) this.nodes.set(nodeId, new Map());
    return { wasAlive };
  }

  async restoreSessions(nodeId: string, sessions: readonly SessionRef[]): Promise<string[]> {
    const online = new Set<string>();
    for (const { userId, sessionId } of sessions) {
      if (this.add(userId, sessionId, nodeId) && !online.has(userId)) {
        online.add(userId);
        this.lastSeen.set(userId, this.clock.now());
      }
    }
    return [...online];
  }

  async removeNode(nodeId: string): Promise<string[]> {
    this.aliveUntil.delete(nodeId);
    return this.dropNode(nodeId);
  }

  async sweep(): Promise<string[]> {
    const offline: string[] = [];
    for (const nodeId of [...this.nodes.keys()]) {
      if (this.isAlive(nodeId)) continue;
      this.aliveUntil.delete(nodeId);
      offline.push(...this.dropNode(nodeId));
    }
    return offline;
  }

  async setVisibility(userId: string, sessionId: string, visible: boolean, at: number): Promise<void> {
    // Only sessions presence knows: a report racing a disconnect must not outlive the session.
    if (!this.users.get(userId)?.has(sessionId)) return;
    const sessions = getOrCreate(this.hidden, userId);
    if (visible) sessions.set(sessionId, 0);
    // Hidden again while hidden keeps the earlier time: away counts from the first hide.
    else if (!sessions.get(sessionId)) sessions.set(sessionId, at);
  }

  async awayUsers(userIds: readonly string[], now: number, hiddenForMs: number): Promise<Set<string>> {
    const away = new Set<string>();
    for (const userId of userIds) {
      const hidden = this.hidden.get(userId);
      let present = false;
      for (const [sessionId, nodeId] of this.users.get(userId) ?? []) {
        if (!this.isAlive(nodeId)) continue;
        const since = hidden?.get(sessionId) ?? 0;
        if (since === 0 || now - since < hiddenForMs) {
          present = true;
          break;
        }
      }
      if (!present) away.add(userId);
    }
    return away;
  }

  /** In process: always answers. */
  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  private isAlive(nodeId: string): boolean {
    return (this.aliveUntil.get(nodeId) ?? -Infinity) > this.clock.now();
  }

  /** Records the session; true when the user thereby came online. */
  private add(userId: string, sessionId: string, nodeId: string): boolean {
    const before = this.liveCount(userId);
    const owner = this.users.get(userId)?.get(sessionId);
    if (owner !== undefined && owner !== nodeId) this.nodes.get(owner)?.delete(sessionId);
    getOrCreate(this.users, userId).set(sessionId, nodeId);
    getOrCreate(this.nodes, nodeId).set(sessionId, userId);
    return before === 0 && this.isAlive(nodeId);
  }

  /** Live sessions of the user; drops those of dead nodes. */
  private liveCount(userId: string): number {
    const sessions = this.users.get(userId);
    if (!sessions) return 0;
    let count = 0;
    for (const [sessionId, nodeId] of [...sessions]) {
      if (this.isAlive(nodeId)) count++;
      else this.forget(userId, sessionId, nodeId);
    }
    return count;
  }

  private forget(userId: string, sessionId: string, nodeId: string): void {
    const sessions = this.users.get(userId);
    sessions?.delete(sessionId);
    if (sessions?.size === 0) this.users.delete(userId);
    this.nodes.get(nodeId)?.delete(sessionId);
    this.forgetVisibility(userId, sessionId);
  }

  private forgetVisibility(userId: string, sessionId: string): void {
    const hidden = this.hidden.get(userId);
    hidden?.delete(sessionId);
    if (hidden?.size === 0) this.hidden.delete(userId);
  }

  /** Removes all sessions of a node; returns users left with no live session. */
  private dropNode(nodeId: string): string[] {
    const touched = new Set<string>();
    for (const [sessionId, userId] of this.nodes.get(nodeId) ?? []) {
      const sessions = this.users.get(userId);
      if (sessions?.get(sessionId) !== nodeId) continue;
      sessions.delete(sessionId);
      if (sessions.size === 0) this.users.delete(userId);
      this.forgetVisibility(userId, sessionId);
      touched.add(userId);
    }
    this.nodes.delete(nodeId);
    const now = this.clock.now();
    const offline: string[] = [];
    for (const userId of touched) {
      if (this.liveCount(userId) > 0) continue;
      this.lastSeen.set(userId, now);
      offline.push(userId);
    }
    return offline;
  }
}

function getOrCreate<K, V>(map: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map()));
  return inner;
}
