import {
  AdminService,
  type AdminOutcome,
  type AdminRouteName,
  type AdminServiceDeps,
  type Clock,
  type IdGenerator,
  type SessionEndNotifier,
  type Store,
  type ThrottleFactory,
} from '@parley/domain';
import type { ParleyMetrics } from '@parley/observability';
import type { Logger } from '@parley/util';
import { RelayFleet, type RelayAdmin } from './relay-fleet';

export interface AdminParts {
  gatewayId: string;
  store: Store;
  relay: RelayAdmin;
  sessionEnds: SessionEndNotifier;
  throttles: ThrottleFactory;
  /** PARLEY_ADMIN_USERS. */
  adminUsernames: readonly string[];
  /** The nodes' NodeStats interval (the relay's default unless changed): stale after 3 missed. */
  statsIntervalMs?: number;
  metrics: ParleyMetrics;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
}

/** The admin API's service, over this gateway's relay, counting each request's outcome in parley_admin_actions_total. */
export function createAdminService(parts: AdminParts): AdminService {
  const counter = parts.metrics.adminActions;
  // Bounded label values (routes × outcomes), bound once per pair on first use.
  const bound = new Map<string, { inc(): void }>();
  const onOutcome = (route: AdminRouteName, outcome: AdminOutcome): void => {
    const key = `${route} ${outcome}`;
    let child = bound.get(key);
    if (!child) bound.set(key, (child = counter.labels({ gateway: parts.gatewayId, action: route, outcome })));
    child.inc();
  };
  const deps: AdminServiceDeps = {
    store: parts.store,
    sessionEnds: parts.sessionEnds,
    fleet: new RelayFleet(parts.gatewayId, parts.relay),
    throttles: parts.throttles,
    clock: parts.clock,
    ids: parts.ids,
    adminUsernames: parts.adminUsernames,
    statsIntervalMs: parts.statsIntervalMs,
    logger: parts.logger,
    onOutcome,
  };
  return new AdminService(deps);
}
