import { z } from 'zod';
import { shownNameSchema } from './text-rules';

/**
 * The operator's side: the admin REST API (`/api/admin/*` on every gateway,
 * for users named in PARLEY_ADMIN_USERS or with the admin role in the store),
 * the notice it pushes to everyone online, and the admin commands a gateway
 * sends a node over the relay. Browser-safe: the ops console uses it too.
 */

// ---- system notices

export const NOTICE_LEVELS = ['info', 'warning'] as const;
export const noticeLevelSchema = z.enum(NOTICE_LEVELS);
export type NoticeLevel = z.infer<typeof noticeLevelSchema>;

/** Longest notice text, characters. */
export const NOTICE_MAX_CHARS = 500;

/** `system:notice`: shown to every online user as a banner; not stored, not synced. */
export const systemNoticeSchema = z
  .strictObject({
    id: z.string().min(1).max(64),
    text: shownNameSchema(NOTICE_MAX_CHARS),
    level: noticeLevelSchema,
    /** Epoch ms when the operator posted it. */
    at: z.number().int().nonnegative(),
  })
  .meta({ id: 'SystemNotice' });
export type SystemNotice = z.infer<typeof systemNoticeSchema>;

export const postNoticeBodySchema = z
  .strictObject({
    text: shownNameSchema(NOTICE_MAX_CHARS).meta({ description: `1-${NOTICE_MAX_CHARS} characters, shown as the banner's text` }),
    level: noticeLevelSchema.default('info'),
  })
  .meta({ id: 'PostNoticeBody' });
export type PostNoticeBody = z.infer<typeof postNoticeBodySchema>;

export const postNoticeResultSchema = z
  .object({
    notice: systemNoticeSchema,
    /** Nodes the notice was written to (every connected node). */
    nodes: z.array(z.string()),
  })
  .meta({ id: 'PostNoticeResult' });
export type PostNoticeResult = z.infer<typeof postNoticeResultSchema>;

// ---- access

/** `GET /api/admin/access`: whether the signed-in caller may use the admin API (the web client shows the console link on it). */
export const adminAccessSchema = z.object({ admin: z.boolean() }).meta({ id: 'AdminAccess' });
export type AdminAccess = z.infer<typeof adminAccessSchema>;

// ---- the fleet

/** One IM node as the gateway last heard of it (its NodeStats relay report). */
export const fleetNodeSchema = z
  .object({
    nodeId: z.string(),
    url: z.string(),
    /** `ready`: serving; `draining`; `stale`: no report for a while (down or cut off); `not-ready`: reported, but /readyz would fail. */
    health: z.enum(['ready', 'not-ready', 'draining', 'stale']),
    sockets: z.number().int().nonnegative(),
    users: z.number().int().nonnegative(),
    /** Totals since the node started: the console draws their rates. */
    messagesAccepted: z.number().nonnegative(),
    deliveries: z.number().nonnegative(),
    relayFramesIn: z.number().nonnegative(),
    relayFramesOut: z.number().nonnegative(),
    outboxDepth: z.number().int().nonnegative(),
    /** Gateways this node has a ready relay stream to. */
    gateways: z.array(z.string()),
    startedAt: z.number(),
    /** When the node sent this report (its clock), and when the gateway received it (the gateway's). */
    reportedAt: z.number(),
    receivedAt: z.number(),
  })
  .meta({ id: 'FleetNode' });
export type FleetNode = z.infer<typeof fleetNodeSchema>;

export const fleetGatewaySchema = z
  .object({
    gatewayId: z.string(),
    /** True for the gateway that answered. */
    self: z.boolean(),
    /** Nodes with a ready stream to it (as the nodes report). */
    nodes: z.array(z.string()),
  })
  .meta({ id: 'FleetGateway' });
export type FleetGateway = z.infer<typeof fleetGatewaySchema>;

export const fleetSchema = z
  .object({
    /** The answering gateway's clock, epoch ms. */
    at: z.number(),
    gateways: z.array(fleetGatewaySchema),
    nodes: z.array(fleetNodeSchema),
  })
  .meta({ id: 'Fleet' });
export type Fleet = z.infer<typeof fleetSchema>;

// ---- users

export const adminUserSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    admin: z.boolean(),
    /** Epoch ms of the suspension, else null. */
    suspendedAt: z.number().nullable(),
    createdAt: z.number(),
  })
  .meta({ id: 'AdminUser' });
export type AdminUser = z.infer<typeof adminUserSchema>;

export const adminUserSearchQuerySchema = z.strictObject({
  q: z.string().trim().min(1).max(64),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export const adminUserListSchema = z.object({ users: z.array(adminUserSchema) }).meta({ id: 'AdminUserList' });
export type AdminUserList = z.infer<typeof adminUserListSchema>;

export const suspendBodySchema = z
  .strictObject({ reason: z.string().trim().max(200).optional() })
  .meta({ id: 'SuspendBody' });
export type SuspendBody = z.infer<typeof suspendBodySchema>;

/** The optional body of disconnect, unsuspend and drain: why, for the audit log. */
export const adminActionBodySchema = z
  .strictObject({ reason: z.string().trim().max(200).optional() })
  .meta({ id: 'AdminActionBody' });
export type AdminActionBody = z.infer<typeof adminActionBodySchema>;

/** Path parameters of the admin routes. */
export const adminUserParamsSchema = z.strictObject({ userId: z.string().min(1).max(64) });
/** A node id as the relay admits it (PARLEY_NODE_ID); names one node, never all. */
export const adminNodeParamsSchema = z.strictObject({ nodeId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a node id: 1 to 64 of A-Z a-z 0-9 _ . -') });

/** What disconnecting or suspending a user did. */
export const userActionResultSchema = z
  .object({
    user: adminUserSchema,
    /** Sessions ended (revoked in the store, their sockets closed on every node). */
    sessionsEnded: z.number().int().nonnegative(),
  })
  .meta({ id: 'UserActionResult' });
export type UserActionResult = z.infer<typeof userActionResultSchema>;

export const drainResultSchema = z
  .object({ nodeId: z.string(), accepted: z.boolean() })
  .meta({ id: 'DrainResult' });
export type DrainResult = z.infer<typeof drainResultSchema>;

// ---- audit log

export const ADMIN_ACTIONS = ['node:drain', 'user:disconnect', 'user:suspend', 'user:unsuspend', 'notice:post'] as const;
export const adminActionSchema = z.enum(ADMIN_ACTIONS);
export type AdminAction = z.infer<typeof adminActionSchema>;

export const auditEntrySchema = z
  .object({
    id: z.string(),
    at: z.number(),
    actorId: z.string(),
    actorUsername: z.string(),
    action: adminActionSchema,
    /** A node id, user id or notice id. */
    target: z.string(),
    /** What the action did (sessions ended, the notice's text, the reason given...). */
    detail: z.string(),
    gatewayId: z.string(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** An entry id: entries older than it. */
  before: z.string().max(64).optional(),
});
export const auditPageSchema = z
  .object({ entries: z.array(auditEntrySchema), next: z.string().optional() })
  .meta({ id: 'AuditPage' });
export type AuditPage = z.infer<typeof auditPageSchema>;

// ---- admin commands over the relay (AdminCommand in relay.proto)

/** The node leaves discovery, hands its sessions off and stops, as on SIGTERM. */
export const adminDrainSchema = z.strictObject({ by: z.string().max(64) });
export const ADMIN_COMMAND_SCHEMAS = {
  drain: adminDrainSchema,
  notice: systemNoticeSchema,
} as const;
export type AdminCommandKind = keyof typeof ADMIN_COMMAND_SCHEMAS;
export type AdminCommand = { [K in AdminCommandKind]: { id: string; kind: K; payload: z.infer<(typeof ADMIN_COMMAND_SCHEMAS)[K]> } }[AdminCommandKind];

export const ADMIN_COMMAND_MAX_BYTES = 4_096;
const adminUtf8 = new TextDecoder('utf-8', { fatal: true });
const adminUtf8Encoder = new TextEncoder();

/** Validates an AdminCommand from a gateway; never throws. */
export function decodeAdminCommand(raw: { id: string; kind: string; payload: Uint8Array }): { ok: true; command: AdminCommand } | { ok: false; reason: string } {
  if (!Object.hasOwn(ADMIN_COMMAND_SCHEMAS, raw.kind)) return { ok: false, reason: 'unknown-kind' };
  if (typeof raw.id !== 'string' || raw.id.length === 0 || raw.id.length > 64) return { ok: false, reason: 'bad-id' };
  if (raw.payload.byteLength > ADMIN_COMMAND_MAX_BYTES) return { ok: false, reason: 'payload-too-large' };
  let json: unknown;
  try {
    json = JSON.parse(adminUtf8.decode(raw.payload));
  } catch {
    return { ok: false, reason: 'bad-json' };
  }
  const kind = raw.kind as AdminCommandKind;
  const parsed = ADMIN_COMMAND_SCHEMAS[kind].safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'bad-payload' };
  // Safe: the schema was looked up by this kind.
  return { ok: true, command: { id: raw.id, kind, payload: parsed.data } as AdminCommand };
}

export function encodeAdminPayload(command: AdminCommand): Uint8Array {
  return adminUtf8Encoder.encode(JSON.stringify(command.payload));
}
