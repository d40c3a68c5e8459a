import type { SessionEndReason } from '@parley/protocol';

/**
 * Counters shared by every process of a cluster (Redis) or kept in process
 * (embedded mode), for limits that must hold whichever gateway or node a
 * request reaches. Engines: @parley/limits (rate-limiter-flexible).
 */
export type ThrottleDecision =
  /** `consumed`: points used in the current window, these included. */
  | { ok: true; consumed: number }
  | { ok: false; consumed: number; retryAfterMs: number };

export interface ConsumeOptions {
  /**
   * The window, seconds (whole, at least 1), when this consume starts one (the
   * key is new or its window ended); an open window keeps its end. Lets one
   * key carry windows of different lengths, e.g. a login backoff gate whose
   * window grows with the failures. @default the spec's `durationSec`
   */
  windowSec?: number;
}

export interface Throttle {
  /**
   * Atomically takes `points` (default 1) for `key`; refused once the
   * window's points are used up. A refused consume takes nothing (engines
   * give the points back), so refused attempts never lengthen a wait.
   * Engines fail closed: a consume they cannot decide is ParleyError `UNAVAILABLE`.
   */
  consume(key: string, points?: number, options?: ConsumeOptions): Promise<ThrottleDecision>;
  /**
   * Gives back points taken earlier (a login that succeeded, an attempt that
   * was never made); never below zero, never opens a window. A key left
   * holding nothing is forgotten (its next consume opens a new window).
   */
  refund(key: string, points?: number): Promise<void>;
  /** Points the key holds in its current window (0: none, or the window is over); takes nothing. */
  peek(key: string): Promise<number>;
  /** Forgets the key. */
  reset(key: string): Promise<void>;
}

export interface ThrottleSpec {
  /** Names the counter family (a key prefix); unique per use. */
  name: string;
  /** Points a key may use per window. */
  points: number;
  /** The window, seconds. */
  durationSec: number;
}

/** Makes throttles on one engine (memory or Redis). */
export interface ThrottleFactory {
  create(spec: ThrottleSpec): Throttle;
}

/**
 * Tells the IM nodes that sessions ended, so their sockets are closed at
 * once with `session:ended` (the gateway publishes through the relay).
 */
export interface SessionEndNotifier {
  sessionsEnded(userId: string, sessionIds: readonly string[], reason: SessionEndReason): Promise<void>;
}
