import type { CommandName } from '@parley/protocol';

/**
 * What each command takes from its user's budget on the node (socket-budget.ts), in
 * tokens. 1 is a point read or a single write; more for what reads pages,
 * scans, or writes to other people (rows, pushes, invitations). The map is
 * complete by type, so a new command cannot ship without a cost.
 */
export const COMMAND_COSTS = Object.freeze({
  // Reads of one's own small lists and single rows.
  'group:info': 1,
  'presence:query': 1,
  'friend:requests': 1,
  'friend:list': 1,
  'user:blocked': 1,
  'settings:get': 1,
  'group:list': 1,
  'group:requests': 1,
  'group:invitations': 1,
  // The hot path; the per-user send limits (per node, then cluster-wide) apply on top.
  'message:send': 1,
  // Changes to messages are entries of the log like sends, and spend from the same send limits.
  'message:edit': 1,
  'message:recall': 1,
  'message:react': 1,
  'message:delete': 1,
  'message:versions': 1,
  'message:ack': 1,
  'conversation:read': 1,
  // Still reads membership and blocks each time; its fan-out is coalesced (typing-coalescer.ts).
  typing: 1,
  'auth:renew': 1,
  // One small write to one's own session's presence record, sent when a page is hidden or shown.
  'presence:visibility': 1,
  // Pages of messages or every conversation: a client syncs a few pages after each reconnect.
  sync: 2,
  'history:fetch': 2,
  'conversation:list': 2,
  // A LIKE scan over group names; a full-text search over one's conversations (with its own per-user limiter too).
  'group:search': 3,
  'message:search': 3,
  // Writes that change one's own relations or one group.
  'friend:respond': 2,
  'friend:cancel': 2,
  'friend:remove': 2,
  'user:block': 2,
  'user:unblock': 2,
  'settings:update': 2,
  'conversation:settings': 2,
  'group:join': 2,
  'group:respond': 2,
  'group:leave': 2,
  'group:kick': 2,
  'group:setRole': 2,
  'group:transfer': 2,
  'group:mute': 2,
  'group:update': 2,
  'group:dissolve': 2,
  'group:invitation:respond': 2,
  // Reach other people: a request or invitation lands on someone else's screen (also the cluster-wide social quota, social-quota.ts).
  'friend:request': 5,
  'group:invite': 5,
  'group:create': 10,
} satisfies Record<CommandName, number>);

/** What an unknown command name costs: refusing it is cheap, but a flood of them is a flood. */
export const UNKNOWN_COMMAND_COST = 1;

export function commandCost(name: string): number {
  return Object.hasOwn(COMMAND_COSTS, name) ? COMMAND_COSTS[name as CommandName] : UNKNOWN_COMMAND_COST;
}
