import { DEFAULT_IM_NODE } from '@parley/im-node';

/** Seconds in a compose duration such as `30s`, `1m30s`, `1h`, `500ms`. */
export function durationSec(value: unknown): number {
  if (typeof value !== 'string' || !/^(\d+(h|m|s|ms|us))+$/.test(value)) throw new Error(`not a compose duration: ${String(value)}`);
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000_001 };
  let total = 0;
  for (const [, amount, suffix] of value.matchAll(/(\d+)(h|m|s|ms|us)/g)) total += Number(amount) * (unit[suffix ?? ''] ?? NaN);
  return total;
}

/**
 * How long an IM node may take to stop after SIGTERM, in seconds, from its
 * environment: the drain spreads the moves over PARLEY_DRAIN_SPREAD_MS and
 * waits up to PARLEY_DRAIN_TIMEOUT_MS for the sessions (defaults where unset).
 */
export function drainBudgetSec(env: Record<string, unknown>): number {
  const ms = (name: string, fallback: number) => (env[name] === undefined ? fallback : Number(env[name]));
  const total = ms('PARLEY_DRAIN_SPREAD_MS', DEFAULT_IM_NODE.drainSpreadMs) + ms('PARLEY_DRAIN_TIMEOUT_MS', DEFAULT_IM_NODE.drainTimeoutMs);
  if (!Number.isFinite(total)) throw new Error('drain settings are not numbers');
  return total / 1000;
}
