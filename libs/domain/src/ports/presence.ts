import type { PresenceInfo } from '@parley/protocol';

export interface SessionChange {
  /** True when this was the user's first live session cluster-wide (went online). */
  firstSession: boolean;
  /** True when this was the user's last live session cluster-wide (went offline). */
  lastSession: boolean;
}

export interface HeartbeatResult {
  /** False when the liveness key did not exist before this heartbeat. */
  wasAlive: boolean;
}

export interface SessionRef {
  userId: string;
  sessionId: string;
}

/**
 * Who is online where. Sessions belong to nodes; a node keeps a liveness key
 * alive by heartbeat and its sessions stop counting once that key expires.
 */
export interface Presence {
  addSession(userId: string, sessionId: string, nodeId: string): Promise<SessionChange>;
  removeSession(userId: string, sessionId: string, nodeId: string): Promise<SessionChange>;
  query(userIds: readonly string[]): Promise<PresenceInfo[]>;
  /**
   * Refreshes the node's liveness key with the given TTL. `wasAlive` is false
   * when the key had lapsed (missed heartbeats, or Redis restarted empty): the
   * node must then call restoreSessions with all its local sessions.
   */
  heartbeat(nodeId: string, ttlMs: number): Promise<HeartbeatResult>;
  /**
   * Re-adds a live node's sessions (idempotent); returns users that thereby
   * came online again, whose friends should be told.
   */
  restoreSessions(nodeId: string, sessions: readonly SessionRef[]): Promise<string[]>;
  /**
   * Drops a node's liveness key and all its sessions (graceful shutdown);
   * returns users that thereby went offline.
   */
  removeNode(nodeId: string): Promise<string[]>;
  /** Removes sessions of nodes whose liveness expired; returns users that went offline. */
  sweep(): Promise<string[]>;
  /**
   * Records whether a session's page is in front of its user
   * (`presence:visibility`, at `at` epoch ms). A session that never reported
   * counts as visible; removeSession forgets it.
   */
  setVisibility(userId: string, sessionId: string, visible: boolean, at: number): Promise<void>;
  /**
   * Of these users, those who are away at `now`: no live session anywhere, or
   * every live session hidden for at least `hiddenForMs`. Pushes go to them.
   */
  awayUsers(userIds: readonly string[], now: number, hiddenForMs: number): Promise<Set<string>>;
  /** A cheap round trip for readiness checks: rejects (UNAVAILABLE) when the engine cannot answer now. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
