import type { FleetNode } from '@parley/protocol';

export type Health = FleetNode['health'];

/** Every health a node can have, in words (shown beside its colour, never colour alone). */
export const HEALTH_LABEL: Record<Health, string> = {
  ready: 'Ready',
  'not-ready': 'Not ready',
  draining: 'Draining',
  stale: 'Stale (no report)',
};

/** Colours of the nodes' lines, in the order nodes were first seen (a node keeps its colour). */
export const NODE_COLORS = ['#4f46e5', '#16a34a', '#d97706', '#0891b2', '#db2777', '#9333ea', '#65a30d', '#dc2626'] as const;

export function nodeColor(index: number): string {
  return NODE_COLORS[index % NODE_COLORS.length] ?? '#4f46e5';
}

/** A per-second rate for the table: "—" before the second report, one decimal below 10. */
export function formatRate(rate: number | undefined): string {
  if (rate === undefined) return '—';
  if (rate === 0) return '0';
  return rate < 10 ? rate.toFixed(1) : Math.round(rate).toLocaleString('en-US');
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** How long ago, from two epoch ms on one clock: "now", "4 s ago", "3 min ago". */
export function formatAge(thenMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (seconds < 1) return 'now';
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

/** For how long a node has run, from its start to the gateway's clock: "42 s", "5 min", "3 h". */
export function formatUptime(startedAt: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - startedAt) / 1000));
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}
