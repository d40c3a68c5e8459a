import { z } from 'zod';
import {
  adminAccessSchema,
  adminActionBodySchema,
  adminNodeParamsSchema,
  adminUserListSchema,
  adminUserParamsSchema,
  adminUserSearchQuerySchema,
  auditPageSchema,
  auditQuerySchema,
  drainResultSchema,
  fleetSchema,
  postNoticeBodySchema,
  postNoticeResultSchema,
  suspendBodySchema,
  userActionResultSchema,
  assignQuerySchema,
  assignResultSchema,
  authResultSchema,
  changePasswordBodySchema,
  deleteAccountBodySchema,
  healthSchema,
  readinessSchema,
  loginBodySchema,
  meResultSchema,
  nodeListResultSchema,
  refreshBodySchema,
  registerBodySchema,
  updateMeBodySchema,
  userSearchQuerySchema,
  userSearchResultSchema,
  type ErrorCode,
} from '@parley/protocol';

/**
 * Every endpoint the gateway's Express app serves, described for its users:
 * the OpenAPI document is generated from this table (`openapi-document.ts`),
 * with the same zod schemas the routers validate with. A test walks the app's
 * router stack and fails when a route is missing here or a row has no route.
 */
export interface RestOperation {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI path template, e.g. `/api/me`. */
  path: string;
  operationId: string;
  tag: RestTag;
  summary: string;
  description?: string;
  /** Needs `Authorization: Bearer <token>` (401 UNAUTHORIZED otherwise). */
  bearer: boolean;
  /**
   * Takes the refresh token from the `parley_refresh` cookie (or the body's
   * `refreshToken`); with `bearer` too, either credential will do.
   */
  refreshCookie?: boolean;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** Path parameters (`{userId}` in `path`). */
  params?: z.ZodObject;
  success:
    | { status: 200 | 201; description: string; schema: z.ZodType; mediaType?: 'application/json' | 'text/html' | 'text/plain' }
    | { status: 204; description: string };
  /** The stable codes this endpoint can answer with, each with what it means here. */
  errors: Partial<Record<ErrorCode, string>>;
}

export type RestTag = 'auth' | 'profile' | 'nodes' | 'operations' | 'admin';

export const REST_TAGS: readonly { name: RestTag; description: string }[] = [
  { name: 'auth', description: 'Accounts and tokens' },
  { name: 'profile', description: 'Your profile and finding other users' },
  { name: 'nodes', description: 'Which IM node to connect the socket to' },
  { name: 'operations', description: 'Health and this description' },
  { name: 'admin', description: 'The ops console: for users named in PARLEY_ADMIN_USERS or with the admin role; every action is audit-logged' },
];

const INVALID_BODY = 'the body is not JSON or fails validation (unknown keys too); `detail` names the field';
const INVALID_QUERY = 'a query parameter fails validation; `detail` names it';
const UNAUTHORIZED = 'no bearer token, or a bad or expired one, or its session ended';
const FOREIGN_ORIGIN = "the refresh cookie came with another site's `Origin`";
const STORE_DOWN = 'the database is unreachable; nothing was changed, retry later';
const BUG = 'a bug on the server; nothing secret is said (logged)';

const NOT_ADMIN = 'the caller is not an admin (PARLEY_ADMIN_USERS or the store role, checked on every request), whatever the request holds';
const ADMIN_BODY = 'a path parameter or the body fails validation (unknown keys too); nothing changed';

/** Whether the caller is an admin: answers every signed-in user (never 403), so it is not one of ADMIN_OPERATIONS. */
export const ADMIN_ACCESS_OPERATION: RestOperation = {
  method: 'get',
  path: '/api/admin/access',
  operationId: 'adminAccess',
  tag: 'admin',
  summary: 'Whether you may use the admin API (the web client shows the ops console link on it)',
  description: 'Any signed-in user may ask; the answer is read fresh from PARLEY_ADMIN_USERS and the store (a suspended admin is not one). Not an admin action: not audited, not counted.',
  bearer: true,
  success: { status: 200, description: '`admin`: true for an admin', schema: adminAccessSchema },
  errors: { UNAUTHORIZED, UNAVAILABLE: STORE_DOWN, INTERNAL: BUG },
};

/** The admin API (`/api/admin`): a test calls each one as a normal user and expects 403. */
export const ADMIN_OPERATIONS: readonly RestOperation[] = [
  {
    method: 'get',
    path: '/api/admin/fleet',
    operationId: 'adminFleet',
    tag: 'admin',
    summary: 'The fleet: gateways and IM nodes with health and counters',
    description:
      "From the nodes' NodeStats reports over this gateway's relay (every 2 s per node). `stale`: no report for three intervals, or the node's stream here is closed (kept for a minute).",
    bearer: true,
    success: { status: 200, description: 'The fleet now', schema: fleetSchema },
    errors: { UNAUTHORIZED, FORBIDDEN: NOT_ADMIN, INTERNAL: BUG },
  },
  {
    method: 'get',
    path: '/api/admin/users',
    operationId: 'adminSearchUsers',
    tag: 'admin',
    summary: 'Find users by name or exact id, suspended ones too',
    bearer: true,
    query: adminUserSearchQuerySchema,
    success: { status: 200, description: 'Matching users with their admin role and suspension', schema: adminUserListSchema },
    errors: { INVALID_ARGUMENT: INVALID_QUERY, UNAUTHORIZED, FORBIDDEN: NOT_ADMIN, UNAVAILABLE: STORE_DOWN, INTERNAL: BUG },
  },
  {
    method: 'post',
    path: '/api/admin/users/{userId}/disconnect',
    operationId: 'adminDisconnectUser',
    tag: 'admin',
    summary: "End every session of a user: their sockets on every node get `session:ended` (`disconnected`); they may sign in again",
    bearer: true,
    params: adminUserParamsSchema,
    body: adminActionBodySchema,
    success: { status: 200, description: 'The user and how many sessions ended (0 the second time)', schema: userActionResultSchema },
    errors: { INVALID_ARGUMENT: ADMIN_BODY, UNAUTHORIZED, FORBIDDEN: NOT_ADMIN, NOT_FOUND: 'no such user (or deleted)', UNAVAILABLE: STORE_DOWN, INTERNAL: BUG },
  },
  {
    method: 'post',
    path: '/api/admin/users/{userId}/suspend',
    operationId: 'adminSuspendUser',
    tag: 'admin',
    summary: 'Suspend a user: sessions end (`suspended`), sign-in answers 403 ACCOUNT_SUSPENDED until unsuspended',
    description: 'Suspending a suspended user changes nothing (and ends no session).',
    bearer: true,
    params: adminUserParamsSchema,
    body: suspendBodySchema,
    success: { status: 200, description: 'The user, suspended, and how many sessions ended', schema: userActionResultSchema },
    errors: {
      INVALID_ARGUMENT: ADMIN_BODY,
      UNAUTHORIZED,
      FORBIDDEN: NOT_ADMIN,
      NOT_FOUND: 'no such user (or deleted)',
      CONFLICT: 'an admin cannot suspend themselves',
      UNAVAILABLE: STORE_DOWN,
      INTERNAL: BUG,
    },
  },
  {
    method: 'post',
    path: '/api/admin/users/{userId}/unsuspend',
    operationId: 'adminUnsuspendUser',
    tag: 'admin',
    summary: 'Lift a suspension: the user may sign in again',
    bearer: true,
    params: adminUserParamsSchema,
    body: adminActionBodySchema,
    success: { status: 200, description: 'The user, no longer suspended', schema: userActionResultSchema },
    errors: { INVALID_ARGUMENT: ADMIN_BODY, UNAUTHORIZED, FORBIDDEN: NOT_ADMIN, NOT_FOUND: 'no such user (or deleted)', UNAVAILABLE: STORE_DOWN, INTERNAL: BUG },
  },
  {
    method: 'post',
    path: '/api/admin/nodes/{nodeId}/drain',
    operationId: 'adminDrainNode',
    tag: 'admin',
    summary: 'Drain an IM node as on SIGTERM: it leaves discovery, its sockets get `server:draining`, then it stops',
    description: 'Sent over the relay to a node connected to this gateway; draining a draining node again is accepted and changes nothing.',
    bearer: true,
    params: adminNodeParamsSchema,
    body: adminActionBodySchema,
    success: { status: 200, description: 'The drain command was sent', schema: drainResultSchema },
    errors: { INVALID_ARGUMENT: ADMIN_BODY, UNAUTHORIZED, FORBIDDEN: NOT_ADMIN, NOT_FOUND: 'no node by that id is connected to this gateway', UNAVAILABLE: STORE_DOWN, INTERNAL: BUG },
  },
  {
    method: 'post',
    path: '/api/admin/notices',
    operationId: 'adminPostNotice',
    tag: 'admin',
    summary: 'Post a notice to everyone online: every socket on every node gets `system:notice` once',
    bearer: true,
    body: postNoticeBodySchema,
    success: { status: 201, description: 'The notice and the nodes it was sent to', schema: postNoticeResultSchema },
    errors: {
      INVALID_ARGUMENT: ADMIN_BODY,
      UNAUTHORIZED,
      FORBIDDEN: NOT_ADMIN,
      RATE_LIMITED: 'more than 10 notices by this admin in a minute; `retryAfterMs` and `Retry-After` say when',
      UNAVAILABLE: 'the database or the limits store is unreachable; retry later',
      INTERNAL: BUG,
    },
  },
  {
    method: 'get',
    path: '/api/admin/audit',
    operationId: 'adminAuditLog',
    tag: 'admin',
    summary: 'The audit log, newest first (`next` asks for older entries)',
    bearer: true,
    query: auditQuerySchema,
    success: { status: 200, description: 'One page of audit entries', schema: auditPageSchema },
    errors: { INVALID_ARGUMENT: INVALID_QUERY, UNAUTHORIZED, FORBIDDEN: NOT_ADMIN, UNAVAILABLE: STORE_DOWN, INTERNAL: BUG },
  },
];

export const REST_OPERATIONS: readonly RestOperation[] = [
  {
    method: 'post',
    path: '/api/auth/register',
    operationId: 'register',
    tag: 'auth',
    summary: 'Create an account and sign in',
    bearer: false,
    body: registerBodySchema,
    success: { status: 201, description: 'The new user, signed in', schema: authResultSchema },
    errors: {
      INVALID_ARGUMENT: INVALID_BODY,
      USERNAME_TAKEN: 'the username is taken (ignoring case and width)',
      RATE_LIMITED:
        'too many registrations from this address (default 10 per 10 minutes), or the server is busy hashing passwords; `retryAfterMs` and `Retry-After` say when',
      UNAVAILABLE: 'the database or the limits store is unreachable; nothing was changed, retry later',
      INTERNAL: BUG,
    },
  },
  {
    method: 'post',
    path: '/api/auth/login',
    operationId: 'login',
    tag: 'auth',
    summary: 'Sign in',
    bearer: false,
    body: loginBodySchema,
    success: { status: 200, description: 'Signed in', schema: authResultSchema },
    errors: {
      INVALID_ARGUMENT: INVALID_BODY,
      INVALID_CREDENTIALS: 'wrong username or password, whether or not the user exists',
      ACCOUNT_SUSPENDED: 'the password is right but an operator suspended the account (said only then: a guesser learns nothing)',
      RATE_LIMITED:
        'after 10 failed logins on an account from one address (100 from all), each further attempt waits 1 s, 2 s, 4 s … up to 5 min; 100 failures per address per 15 min; or the server is busy hashing passwords. `retryAfterMs` and `Retry-After` say when',
      UNAVAILABLE: 'the database or the limits store is unreachable; nothing was changed, retry later',
      INTERNAL: BUG,
    },
  },
  {
    method: 'post',
    path: '/api/auth/refresh',
    operationId: 'refresh',
    tag: 'auth',
    summary: 'A new access token for a refresh token (which is replaced)',
    description:
      'The refresh token comes from the `parley_refresh` cookie (browsers) or the body. Each one works once: the answer carries its successor (in the cookie, and in the body unless a browser asks). Presenting again the one the current token replaced ends the session (a copy leaked).',
    bearer: false,
    refreshCookie: true,
    body: refreshBodySchema,
    success: { status: 200, description: 'Still signed in: a new access token and refresh token', schema: authResultSchema },
    errors: {
      INVALID_ARGUMENT: INVALID_BODY,
      UNAUTHORIZED: 'no refresh token, or an unknown, expired, revoked or already used one (which ends its session)',
      FORBIDDEN: FOREIGN_ORIGIN,
      UNAVAILABLE: STORE_DOWN,
      INTERNAL: BUG,
    },
  },
  {
    method: 'post',
    path: '/api/auth/logout',
    operationId: 'logout',
    tag: 'auth',
    summary: 'Sign out: this session ends',
    description:
      "Ends the bearer token's session, or without a valid one the refresh token's (cookie or body); clears the cookie. The session's sockets get `session:ended`.",
    bearer: true,
    refreshCookie: true,
    body: refreshBodySchema,
    success: { status: 204, description: 'Signed out' },
    errors: {
      INVALID_ARGUMENT: INVALID_BODY,
      UNAUTHORIZED: 'neither a valid bearer token nor a refresh token',
      FORBIDDEN: FOREIGN_ORIGIN,
      UNAVAILABLE: STORE_DOWN,
      INTERNAL: BUG,
    },
  },
  {
    method: 'post',
    path: '/api/auth/logout-all',
    operationId: 'logoutAll',
    tag: 'auth',
    summary: 'Sign out everywhere: every session of the account ends',
    bearer: true,
    success: { status: 204, description: 'Every session ended, this one too' },
    errors: { UNAUTHORIZED, UNAVAILABLE: STORE_DOWN, INTERNAL: BUG },
  },
  {
    method: 'get',
    path: '/api/me',
    operationId: 'getMe',
    tag: 'profile',
    summary: 'Your profile',
    bearer: true,
    success: { status: 200, description: 'Your profile', schema: meResultSchema },
    errors: { UNAUTHORIZED, NOT_FOUND: 'the account no longer exists', UNAVAILABLE: STORE_DOWN, INTERNAL: BUG },
  },
  {
    method: 'patch',
    path: '/api/me',
    operationId: 'updateMe',
    tag: 'profile',
    summary: 'Change your profile',
    bearer: true,
    body: updateMeBodySchema,
    success: { status: 200, description: 'Your profile after the change', schema: meResultSchema },
    errors: {
      INVALID_ARGUMENT: INVALID_BODY,
      UNAUTHORIZED,
      NOT_FOUND: 'the account no longer exists',
      UNAVAILABLE: STORE_DOWN,
      INTERNAL: BUG,
    },
  },
  {
    method: 'post',
    path: '/api/me/password',
    operationId: 'changePassword',
    tag: 'profile',
    summary: 'Change your password',
    description: 'Every other session of the account ends; this one stays signed in.',
    bearer: true,
    body: changePasswordBodySchema,
    success: { status: 204, description: 'Changed' },
    errors: {
      INVALID_ARGUMENT: INVALID_BODY + ', or the new password breaks a rule (named)',
      UNAUTHORIZED,
      INVALID_CREDENTIALS: 'the current password is wrong; nothing changed',
      RATE_LIMITED: 'too many wrong passwords for this account (they count as failed logins); `retryAfterMs` and `Retry-After` say when',
      UNAVAILABLE: STORE_DOWN,
      INTERNAL: BUG,
    },
  },
  {
    method: 'delete',
    path: '/api/me',
    operationId: 'deleteMe',
    tag: 'profile',
    summary: 'Delete your account',
    description:
      'Frees the username, ends every session, removes friendships, requests, blocks and group memberships (an owned group passes to its longest-standing admin, else member). Messages stay, sent by "Deleted user".',
    bearer: true,
    body: deleteAccountBodySchema,
    success: { status: 204, description: 'Deleted' },
    errors: {
      INVALID_ARGUMENT: INVALID_BODY,
      UNAUTHORIZED,
      INVALID_CREDENTIALS: 'the password is wrong; nothing changed',
      RATE_LIMITED: 'too many wrong passwords for this account (they count as failed logins); `retryAfterMs` and `Retry-After` say when',
      UNAVAILABLE: STORE_DOWN,
      INTERNAL: BUG,
    },
  },
  {
    method: 'get',
    path: '/api/users',
    operationId: 'searchUsers',
    tag: 'profile',
    summary: 'Find users by username or display name',
    bearer: true,
    query: userSearchQuerySchema,
    success: { status: 200, description: 'One page of matching users', schema: userSearchResultSchema },
    errors: { INVALID_ARGUMENT: INVALID_QUERY, UNAUTHORIZED, UNAVAILABLE: STORE_DOWN, INTERNAL: BUG },
  },
  {
    method: 'get',
    path: '/api/nodes/assign',
    operationId: 'assignNode',
    tag: 'nodes',
    summary: 'The IM node to connect to',
    description:
      'Connect with `io(url, { path, auth: { token } })`. With `PARLEY_PUBLIC_ENTRY` set, `url` is that entry and `path` is `/n/<nodeId>/socket.io` (the entry routes it to the node); otherwise `url` is the node and `path` is `/socket.io`. Nodes take turns (`round-robin`); with `PARLEY_ROUTER=room-hash` a `room` always gets the same node.',
    bearer: true,
    query: assignQuerySchema,
    success: { status: 200, description: 'A healthy IM node', schema: assignResultSchema },
    errors: { INVALID_ARGUMENT: INVALID_QUERY, UNAUTHORIZED, NO_NODES: 'no healthy IM node right now; retry later', INTERNAL: BUG },
  },
  {
    method: 'get',
    path: '/api/nodes',
    operationId: 'listNodes',
    tag: 'nodes',
    summary: 'The healthy IM nodes (cluster status)',
    description: "Each node as an assignment would name it: through the public entry when `PARLEY_PUBLIC_ENTRY` is set (never the node's internal URL).",
    bearer: true,
    success: { status: 200, description: 'Every healthy IM node this gateway may hand out', schema: nodeListResultSchema },
    errors: { UNAUTHORIZED, INTERNAL: BUG },
  },
  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    tag: 'operations',
    summary: 'Liveness of the gateway (kept for existing checks; the same as /livez)',
    bearer: false,
    success: { status: 200, description: 'The gateway is up', schema: healthSchema },
    errors: {},
  },
  {
    method: 'get',
    path: '/livez',
    operationId: 'liveness',
    tag: 'operations',
    summary: 'Liveness of the gateway: the process answers (restart it when not)',
    bearer: false,
    success: { status: 200, description: 'The gateway process is up', schema: healthSchema },
    errors: {},
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'readiness',
    tag: 'operations',
    summary: 'Readiness of the gateway: whether it should get traffic',
    description:
      "Consul's check on a gateway's registration and a load balancer's probe read this. Not ready while the gateway is stopping, its database or (with `PARLEY_REDIS_URL`) the Redis its login and registration limits count in does not answer within 1 s, or its relay is not listening. Not while no IM node has a stream here: nodes find gateways through Consul's passing checks, so waiting for one would never start a fresh cluster. One ping per dependency at a time serves every caller, and the answer is kept for 1 s. The 503 problem document also lists what failed in `failed` (`stopping`, `database`, `redis`, `relay`).",
    bearer: false,
    success: { status: 200, description: 'Ready for traffic', schema: readinessSchema },
    errors: {
      UNAVAILABLE:
        'not ready; `detail` says why (`not ready: stopping`; `not ready: database unreachable` when the ping fails, `not ready: database not answering` when it does not answer in time; `not ready: redis unreachable`, `not ready: redis not answering` likewise; `not ready: relay not listening`; several failures joined by commas)',
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    tag: 'operations',
    summary: "The gateway's Prometheus metrics (`parley_*`, and Node's `process_*` / `nodejs_*`)",
    description:
      'Prometheus text exposition format; docs/operations.md lists the metrics. With `PARLEY_METRICS_PORT` set they are served on that port instead (bind it where only Prometheus reaches) and this path answers 404.',
    bearer: false,
    success: { status: 200, description: 'Every metric of this process', schema: z.string(), mediaType: 'text/plain' },
    errors: { NOT_FOUND: 'the metrics are served on their own port (`PARLEY_METRICS_PORT`)' },
  },
  {
    method: 'get',
    path: '/api/openapi.json',
    operationId: 'openApiDocument',
    tag: 'operations',
    summary: 'This OpenAPI 3.1 document',
    bearer: false,
    success: {
      status: 200,
      description: 'The OpenAPI document, generated from the zod schemas the gateway validates with',
      schema: z.object({ openapi: z.string() }).catchall(z.unknown()),
    },
    errors: {},
  },
  {
    method: 'get',
    path: '/api/docs',
    operationId: 'apiDocsPage',
    tag: 'operations',
    summary: 'This document as a web page (Swagger UI, served from local files)',
    bearer: false,
    success: { status: 200, description: 'An HTML page', schema: z.string(), mediaType: 'text/html' },
    errors: {},
  },
  ADMIN_ACCESS_OPERATION,
  ...ADMIN_OPERATIONS,
];
