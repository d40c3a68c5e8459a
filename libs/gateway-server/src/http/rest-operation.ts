import type { z } from 'zod';
import type { ErrorCode } from '@parley/protocol';

/**
 * One endpoint the gateway's Express app serves, described for its users: a
 * row of REST_OPERATIONS (`rest-operations.ts`, the admin API's rows in
 * `admin-operations.ts`). The OpenAPI document is generated from that table
 * (`openapi-document.ts`), with the same zod schemas the routers validate
 * with. A test walks the app's router stack and fails when a route is missing
 * there or a row has no route.
 */
export interface RestOperation {
  method: 'get' | 'put' | 'post' | 'patch' | 'delete';
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
  /** A body that is not JSON (an upload's bytes): its media type and what it is. */
  rawBody?: { mediaType: 'application/octet-stream'; description: string };
  query?: z.ZodObject;
  /** Path parameters (`{userId}` in `path`). */
  params?: z.ZodObject;
  success:
    | {
        status: 200 | 201;
        description: string;
        schema: z.ZodType;
        mediaType?: 'application/json' | 'text/html' | 'text/plain' | 'application/octet-stream';
      }
    | { status: 204; description: string };
  /** The stable codes this endpoint can answer with, each with what it means here. */
  errors: Partial<Record<ErrorCode, string>>;
}

export type RestTag = 'auth' | 'profile' | 'attachments' | 'push' | 'nodes' | 'operations' | 'admin';

export const REST_TAGS: readonly { name: RestTag; description: string }[] = [
  { name: 'auth', description: 'Accounts and tokens' },
  { name: 'profile', description: 'Your profile and finding other users' },
  { name: 'attachments', description: 'Uploading files and images, and short-lived links to the ones sent in your conversations' },
  { name: 'push', description: 'Web Push: notifications on devices whose user is away (docs/push.md)' },
  { name: 'nodes', description: 'Which IM node to connect the socket to' },
  { name: 'operations', description: 'Health and this description' },
  { name: 'admin', description: 'The ops console: for users named in PARLEY_ADMIN_USERS or with the admin role; every action is audit-logged' },
];

/** What the common errors mean, the same in every row that can answer with them. */
export const INVALID_BODY = 'the body is not JSON or fails validation (unknown keys too); `detail` names the field';
export const INVALID_QUERY = 'a query parameter fails validation; `detail` names it';
export const UNAUTHORIZED = 'no bearer token, or a bad or expired one, or its session ended';
export const FOREIGN_ORIGIN = "the refresh cookie came with another site's `Origin`";
export const STORE_DOWN = 'the database is unreachable; nothing was changed, retry later';
export const BUG = 'a bug on the server; nothing secret is said (logged)';
