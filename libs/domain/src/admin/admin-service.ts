import {
  ADMIN_ACTIONS,
  ParleyError,
  usernameKey,
  type AdminAccess,
  type AdminAction,
  type AdminUser,
  type AdminUserList,
  type AuditPage,
  type DrainResult,
  type Fleet,
  type PostNoticeBody,
  type PostNoticeResult,
  type SessionEndReason,
  type SystemNotice,
  type UserActionResult,
} from '@parley/protocol';
import { silentLogger, type Logger } from '@parley/util';
import type { AdminStore, AuthSessionStore, Clock, IdGenerator, SessionEndNotifier, Throttle, ThrottleFactory, UserRecord, UserStore } from '../ports';
import type { FleetControl } from './fleet-control';
import { fleetView } from './fleet-view';
import { AUDIT_WIDTHS, checkAuditWidth, cutToCodePoints } from './audit-text';

/** Notices one admin may post per window (a console click, not a broadcast channel). */
export const DEFAULT_NOTICE_LIMIT = Object.freeze({ points: 10, durationSec: 60 });
/** NodeStats interval the fleet's staleness is measured in (the relay's default). */
export const DEFAULT_FLEET_STATS_INTERVAL_MS = 2_000;

/** Who is acting: an admin, checked against the store on this very request. */
export interface AdminActor {
  userId: string;
  username: string;
}

/** Routes of the admin API, as the metrics (`action` of parley_admin_actions_total) and logs name them (bounded; /access is none). */
export const ADMIN_ROUTE_NAMES = [...ADMIN_ACTIONS, 'fleet:read', 'users:search', 'audit:read'] as const;
export type AdminRouteName = (typeof ADMIN_ROUTE_NAMES)[number];
export type AdminOutcome = 'ok' | 'forbidden' | 'error';

export interface AdminServiceDeps {
  store: AdminStore & Pick<UserStore, 'getUser' | 'getUsers' | 'searchUsers'> & Pick<AuthSessionStore, 'revokeUserAuthSessions'>;
  /** Closes the ended sessions' sockets on every node. */
  sessionEnds: SessionEndNotifier;
  fleet: FleetControl;
  /** Per-admin notice limit counters (Redis in a cluster: shared by every gateway). */
  throttles: ThrottleFactory;
  clock: Clock;
  /** Sortable (ULID) in production: audit entries are ordered by id. */
  ids: IdGenerator;
  /** PARLEY_ADMIN_USERS: usernames that may use the admin API (besides the store's admin role). */
  adminUsernames: readonly string[];
  /** @default DEFAULT_FLEET_STATS_INTERVAL_MS */
  statsIntervalMs?: number;
  /** @default DEFAULT_NOTICE_LIMIT */
  noticeLimit?: { points: number; durationSec: number };
  logger?: Logger;
  /** Told of every admin request's outcome (the gateway counts parley_admin_actions_total). */
  onOutcome?: (route: AdminRouteName, outcome: AdminOutcome) => void;
}

/**
 * The operator's side of Parley: who is an admin (PARLEY_ADMIN_USERS or the
 * store's role, read fresh on every request so a removed admin loses access
 * at once), the fleet view, and the actions (disconnect, suspend, unsuspend,
 * drain, notice), each written to the audit log and logged.
 */
export class AdminService {
  private readonly configured: ReadonlySet<string>;
  private readonly notices: Throttle;
  private readonly logger: Logger;

  constructor(private readonly deps: AdminServiceDeps) {
    this.configured = new Set(deps.adminUsernames.map((name) => usernameKey(name.trim())).filter((name) => name.length > 0));
    const limit = deps.noticeLimit ?? DEFAULT_NOTICE_LIMIT;
    this.notices = deps.throttles.create({ name: 'admin-notice', points: limit.points, durationSec: limit.durationSec });
    this.logger = deps.logger ?? silentLogger;
  }

  /** The actor when `userId` is an admin now (not deleted, not suspended); FORBIDDEN otherwise (logged, counted). */
  async authorize(userId: string, route: AdminRouteName): Promise<AdminActor> {
    const user = await this.deps.store.getUser(userId);
    if (!user || user.deletedAt !== null || user.suspendedAt !== null || !this.isAdmin(user)) {
      this.logger.warn({ userId, route }, 'admin API refused: not an admin');
      this.deps.onOutcome?.(route, 'forbidden');
      throw new ParleyError('FORBIDDEN', 'admins only');
    }
    return { userId: user.id, username: user.username };
  }

  /**
   * Whether `userId` may use the admin API now, asked by any signed-in user
   * (the web client's console link): an answer, not a refusal, so it is not
   * logged, audited or counted.
   */
  async access(userId: string): Promise<AdminAccess> {
    const user = await this.deps.store.getUser(userId);
    return { admin: user !== null && user.deletedAt === null && user.suspendedAt === null && this.isAdmin(user) };
  }

  fleet(): Fleet {
    const { fleet, clock } = this.deps;
    return fleetView(fleet.nodeReports(), fleet.gatewayId, clock.now(), this.deps.statsIntervalMs ?? DEFAULT_FLEET_STATS_INTERVAL_MS);
  }

  /** Users by name (as /api/users finds them), or by exact id; suspended users too. */
  async searchUsers(q: string, limit: number): Promise<AdminUserList> {
    const { store } = this.deps;
    const [byId, byName] = await Promise.all([store.getUser(q), store.searchUsers(q, limit, 0)]);
    const found = byId && byId.deletedAt === null ? [byId, ...byName.filter((u) => u.id !== byId.id)] : byName;
    return { users: found.slice(0, limit).map((u) => this.view(u)) };
  }

  /** Ends every session of the user (reason `disconnected`); they may sign in again. */
  async disconnect(actor: AdminActor, userId: string, reason?: string): Promise<UserActionResult> {
    const { store, clock } = this.deps;
    const user = await this.requireUser(userId);
    await this.record(actor, 'user:disconnect', user.id, withReason(`${user.username}: every session ends`, reason));
    const sessionIds = await store.revokeUserAuthSessions(user.id, 'disconnected', clock.now());
    await this.endSockets(user.id, sessionIds, 'disconnected');
    this.done(actor, 'user:disconnect', user.id, { sessionsEnded: sessionIds.length });
    return { user: this.view(user), sessionsEnded: sessionIds.length };
  }

  /** Suspends the user: sessions end (`suspended`), sign-in and refresh are refused until unsuspended. Not oneself. */
  async suspend(actor: AdminActor, userId: string, reason?: string): Promise<UserActionResult> {
    const { store, clock } = this.deps;
    if (userId === actor.userId) throw new ParleyError('CONFLICT', 'you cannot suspend yourself');
    const before = await this.requireUser(userId);
    const already = before.suspendedAt !== null ? ' (already suspended)' : '';
    await this.record(actor, 'user:suspend', before.id, withReason(`${before.username}${already}: every session ends`, reason));
    const { user, sessionIds } = await store.suspendUser(before.id, clock.now());
    await this.endSockets(user.id, sessionIds, 'suspended');
    this.done(actor, 'user:suspend', user.id, { sessionsEnded: sessionIds.length });
    return { user: this.view(user), sessionsEnded: sessionIds.length };
  }

  async unsuspend(actor: AdminActor, userId: string, reason?: string): Promise<UserActionResult> {
    const before = await this.requireUser(userId);
    const already = before.suspendedAt === null ? ' (was not suspended)' : '';
    await this.record(actor, 'user:unsuspend', before.id, withReason(`${before.username}${already}`, reason));
    const user = await this.deps.store.unsuspendUser(before.id);
    this.done(actor, 'user:unsuspend', user.id);
    return { user: this.view(user), sessionsEnded: 0 };
  }

  /** Tells a node connected to this gateway to drain (as on SIGTERM); NOT_FOUND when none by that id is. */
  async drain(actor: AdminActor, nodeId: string, reason?: string): Promise<DrainResult> {
    const { fleet } = this.deps;
    const notConnected = (): ParleyError => new ParleyError('NOT_FOUND', `no node ${nodeId} is connected to this gateway`);
    if (!fleet.connectedNodes().includes(nodeId)) throw notConnected();
    await this.record(actor, 'node:drain', nodeId, withReason('drain requested', reason));
    // Only that node: a tagged target, so no id (not even 'all') reaches the others.
    const written = fleet.sendAdmin({ node: nodeId }, { id: this.deps.ids.next(), kind: 'drain', payload: { by: actor.username.slice(0, 64) } });
    // Its stream closed between the check and the write: audited as requested, not done.
    if (written.length === 0) throw notConnected();
    this.done(actor, 'node:drain', nodeId);
    return { nodeId, accepted: true };
  }

  /** A banner to every online user, through every connected node; RATE_LIMITED past the admin's notice limit. */
  async postNotice(actor: AdminActor, body: PostNoticeBody): Promise<PostNoticeResult> {
    const decision = await this.notices.consume(actor.userId);
    if (!decision.ok) {
      throw new ParleyError('RATE_LIMITED', 'too many notices; wait before posting another', { retryAfterMs: decision.retryAfterMs });
    }
    const { fleet } = this.deps;
    const notice: SystemNotice = { id: this.deps.ids.next(), text: body.text, level: body.level, at: this.deps.clock.now() };
    const detail = `${notice.level} to ${fleet.connectedNodes().length} node(s): ${notice.text}`;
    // Not posted, so not counted against the admin's limit.
    await this.record(actor, 'notice:post', notice.id, detail).catch(async (err: unknown) => {
      await this.notices.refund(actor.userId).catch(() => undefined);
      throw err;
    });
    const nodes = fleet.broadcastAdmin({ id: notice.id, kind: 'notice', payload: notice });
    this.done(actor, 'notice:post', notice.id, { nodes: nodes.length });
    return { notice, nodes };
  }

  /** Newest first; `next` (an entry id) asks for the older page. */
  async audit(limit: number, before?: string): Promise<AuditPage> {
    const { store } = this.deps;
    const records = await store.listAudit(limit, before);
    const actors = new Map((await store.getUsers([...new Set(records.map((r) => r.actorId))])).map((u) => [u.id, u.username]));
    const entries = records.map((r) => ({ ...r, actorUsername: actors.get(r.actorId) ?? r.actorId }));
    const last = entries.at(-1);
    return entries.length === limit && last ? { entries, next: last.id } : { entries };
  }

  /** Counts a request that passed authorization: `ok`, or `error` when the action failed. */
  outcome(route: AdminRouteName, outcome: AdminOutcome): void {
    this.deps.onOutcome?.(route, outcome);
  }

  private isAdmin(user: UserRecord): boolean {
    return user.admin || this.configured.has(usernameKey(user.username));
  }

  private view(user: UserRecord): AdminUser {
    return {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      admin: this.isAdmin(user),
      suspendedAt: user.suspendedAt,
      createdAt: user.createdAt,
    };
  }

  private async requireUser(userId: string): Promise<UserRecord> {
    const user = await this.deps.store.getUser(userId);
    if (!user || user.deletedAt !== null) throw new ParleyError('NOT_FOUND', 'no such user');
    return user;
  }

  /** The revocation is committed: a node missed now ends those sockets at their token's next check. */
  private async endSockets(userId: string, sessionIds: readonly string[], reason: SessionEndReason): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.deps.sessionEnds.sessionsEnded(userId, sessionIds, reason).catch((err: unknown) => {
      this.logger.warn({ err, userId, reason }, 'could not tell the IM nodes that sessions ended');
    });
  }

  /**
   * Writes the audit entry BEFORE the action (fail closed): when the audit log
   * cannot be written, nothing is done and the admin gets UNAVAILABLE (503).
   */
  private async record(actor: AdminActor, action: AdminAction, target: string, detail: string): Promise<void> {
    // Wider than the store's columns: refused here in words (the store's refusal would read as an outage below).
    checkAuditWidth('target', target);
    checkAuditWidth('actorId', actor.userId);
    checkAuditWidth('gatewayId', this.deps.fleet.gatewayId);
    const entry = {
      id: this.deps.ids.next(),
      at: this.deps.clock.now(),
      actorId: actor.userId,
      action,
      target,
      detail: cutToCodePoints(detail, AUDIT_WIDTHS.detail),
      gatewayId: this.deps.fleet.gatewayId,
    };
    try {
      await this.deps.store.appendAudit(entry);
    } catch (err) {
      this.logger.error({ err, actorId: actor.userId, action, target }, 'admin action refused: the audit log could not be written');
      throw new ParleyError('UNAVAILABLE', 'the audit log could not be written, so the action was not carried out; try again', { cause: err });
    }
    this.logger.info({ actor: actor.username, actorId: actor.userId, action, target, auditId: entry.id }, 'admin action audited');
  }

  /** Logs what an audited action did. */
  private done(actor: AdminActor, action: AdminAction, target: string, result: Record<string, number> = {}): void {
    this.logger.info({ actor: actor.username, actorId: actor.userId, action, target, ...result }, 'admin action done');
  }
}

function withReason(detail: string, reason: string | undefined): string {
  return reason ? `${detail}; reason: ${reason}` : detail;
}

