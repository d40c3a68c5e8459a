import { RateLimiterRes } from 'rate-limiter-flexible';
import type { ConsumeOptions, ThrottleDecision, ThrottleSpec } from '@parley/domain';
import { ParleyError } from '@parley/protocol';

/** rate-limiter-flexible's own consume options for a port consume. */
export function consumeOptionsOf(options: ConsumeOptions | undefined): { customDuration?: number } {
  if (options?.windowSec === undefined) return {};
  // Redis keys get no expiry at all for a window under one second: never allow that.
  return { customDuration: Math.max(1, Math.ceil(options.windowSec)) };
}

/** Points must be whole and positive (rate-limiter-flexible refuses fractions). */
export function checkPoints(points: number): number {
  if (!Number.isInteger(points) || points < 1) throw new ParleyError('INVALID_ARGUMENT', `throttle points must be a positive integer, got ${points}`);
  return points;
}

export function checkSpec(spec: ThrottleSpec): ThrottleSpec {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(spec.name)) throw new Error(`throttle name "${spec.name}" must be 1-64 of A-Z a-z 0-9 _ . -`);
  checkPoints(spec.points);
  if (!Number.isInteger(spec.durationSec) || spec.durationSec < 1) throw new Error(`throttle ${spec.name}: durationSec must be a whole number of seconds >= 1`);
  return spec;
}

/** A granted consume. */
export function granted(res: RateLimiterRes): ThrottleDecision {
  return { ok: true, consumed: res.consumedPoints };
}

/**
 * A refused consume, reported as the window stands once our points are given
 * back. Never 0 ms: a caller told to wait 0 would retry in a tight loop.
 */
export function refused(res: RateLimiterRes, points: number): ThrottleDecision {
  return { ok: false, consumed: Math.max(0, res.consumedPoints - points), retryAfterMs: Math.max(1, Math.ceil(res.msBeforeNext)) };
}

/** What rate-limiter-flexible rejects with when a key is out of points (anything else is an engine failure). */
export function isRefusal(err: unknown): err is RateLimiterRes {
  return err instanceof RateLimiterRes;
}
