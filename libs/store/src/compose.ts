import type { StoreAggregates } from '@parley/domain';

/**
 * The base of each engine's Store class: the aggregates' methods, written one
 * object per aggregate (users.ts, social.ts, groups.ts, requests.ts,
 * invitations.ts, sessions.ts, messages.ts, admin.ts in the engine's
 * folder), become the store's own. The compiler checks that the objects given cover every aggregate;
 * the engine class adds the life cycle (migrate, close, ping).
 */
export const AggregateStore = class {
  constructor(aggregates: StoreAggregates) {
    Object.assign(this, aggregates);
  }
} as new (aggregates: StoreAggregates) => StoreAggregates;
