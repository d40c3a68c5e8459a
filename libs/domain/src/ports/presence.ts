import type { PresenceInfo } from '@parley/protocol';

export interface SessionChange {
  /** True when this was the user's first live session cluster-wide (went online). */
  firstSession: boolean;
  /** True when this was the user's last live session cluster-wide (went offline). */
  lastSession: boolean;
}

/**
 * Who is online where. Sessions belong to nodes; a node keeps a liveness key
 * alive by heartbeat and its sessions stop counting once that key expires.
 */
export interface Presence {
  addSession(userId: string, sessionId: string, nodeId: string): Promise<SessionChange>;
  removeSession(userId: string, sessionId: string, nodeId: string): Promise<SessionChange>;
  query(userIds: readonly string[]): Promise<PresenceInfo[]>;
  /** Refreshes the node's liveness key with the given TTL. */
  heartbeat(nodeId: string, ttlMs: number): Promise<void>;
  /** Drops a node's liveness key and all its sessions (graceful shutdown). */
  removeNode(nodeId: string): Promise<void>;
  /** Removes sessions of nodes whose liveness expired; returns users that went offline. */
  sweep(): Promise<string[]>;
  close(): Promise<void>;
}
