import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './errors';
import { userSchema } from './models';
import { shownNameSchema } from './text-rules';

/**
 * REST bodies and answers of the gateway (PROTOCOL.md "REST on the gateway").
 * The gateway validates requests with these schemas and builds its OpenAPI
 * document (`GET /api/openapi.json`) from them; `.meta()` is zod's own
 * metadata (`id` names the OpenAPI component), so this file stays browser-safe.
 */
export const USERNAME_PATTERN = /^[a-zA-Z0-9_.-]{3,32}$/;

export const usernameSchema = z
  .string()
  .regex(USERNAME_PATTERN, 'must be 3-32 characters of letters, digits, "_", "." or "-"')
  .meta({ description: '3-32 letters, digits, "_", "." or "-"; unique ignoring case', example: 'ann' });

export const passwordSchema = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256)
  .meta({
    description: '8-256 characters, not a common or easily guessed password, not the username; stored as an argon2id hash',
    format: 'password',
  });

const displayNameSchema = shownNameSchema(64).meta({
  description: 'NFC-normalized and trimmed; no control, zero-width or direction-override characters',
  example: 'Ann',
});

export const registerBodySchema = z
  .strictObject({
    username: usernameSchema,
    password: passwordSchema,
    displayName: displayNameSchema.optional().meta({ description: 'defaults to the username' }),
  })
  .meta({ id: 'RegisterBody' });
export type RegisterBody = z.infer<typeof registerBodySchema>;

export const loginBodySchema = z
  .strictObject({
    username: usernameSchema.meta({ description: 'the same rule as registration; matched ignoring case', example: 'ann' }),
    password: z.string().min(1).max(256).meta({ format: 'password' }),
  })
  .meta({ id: 'LoginBody' });
export type LoginBody = z.infer<typeof loginBodySchema>;

export const updateMeBodySchema = z
  .strictObject({
    displayName: displayNameSchema.optional(),
    avatarUrl: z
      .url({ protocol: /^https$/ })
      .max(512)
      .optional()
      .meta({ description: 'an https URL', example: 'https://example.com/ann.png' }),
    bio: z.string().max(500).optional(),
  })
  .meta({ id: 'UpdateMeBody', description: 'Only the fields given change.' });
export type UpdateMeBody = z.infer<typeof updateMeBodySchema>;

export const userSearchQuerySchema = z.object({
  q: z.string().trim().min(1).max(64).meta({ description: 'part of a username or display name (case-insensitive)' }),
  limit: z.coerce.number().int().min(1).max(50).default(20).meta({ description: 'page size' }),
  offset: z.coerce.number().int().min(0).max(10_000).default(0).meta({ description: 'users to skip' }),
});
export type UserSearchQuery = z.infer<typeof userSearchQuerySchema>;

export const assignQuerySchema = z.object({
  room: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .meta({
      description: 'the room the client cares about most (`group:<id>`): with PARLEY_ROUTER=room-hash, the same room always gets the same node',
      example: 'group:01J0000000000000000000000',
    }),
});
export type AssignQuery = z.infer<typeof assignQuerySchema>;

/** `user` as REST answers carry it (the OpenAPI component `User`). */
export const restUserSchema = userSchema.meta({ id: 'User', description: 'A user as other users see them.' });

export const authResultSchema = z
  .object({
    user: restUserSchema,
    token: z.string().meta({ description: 'HS256 JWT: send it as `Authorization: Bearer <token>` and as the socket handshake `auth.token`' }),
    expiresAt: z.number().int().meta({ description: 'when the access token expires, epoch ms (minutes after it was issued)' }),
    sessionId: z.string().meta({ description: 'this sign-in; ended by logout, logout-all, a password change or account deletion' }),
    refreshToken: z.string().optional().meta({
      description:
        'rotating refresh token for `POST /api/auth/refresh`; also set as the HttpOnly cookie `parley_refresh`. Omitted when a browser asks (a request with `Sec-Fetch-Site`): a page never sees it',
    }),
    refreshExpiresAt: z.number().int().meta({ description: 'when the refresh token expires, epoch ms' }),
  })
  .meta({ id: 'AuthResult' });
export type AuthResult = z.infer<typeof authResultSchema>;

/** The refresh token comes from the `parley_refresh` cookie, or from this body for clients without cookies. */
export const refreshBodySchema = z
  .strictObject({ refreshToken: z.string().min(1).max(512).optional() })
  .meta({ id: 'RefreshBody', description: 'Empty when the refresh token is in the `parley_refresh` cookie.' });
export type RefreshBody = z.infer<typeof refreshBodySchema>;

export const changePasswordBodySchema = z
  .strictObject({
    currentPassword: z.string().min(1).max(256).meta({ format: 'password' }),
    newPassword: passwordSchema,
  })
  .meta({ id: 'ChangePasswordBody', description: 'Ends every other session of the user; this one stays signed in.' });
export type ChangePasswordBody = z.infer<typeof changePasswordBodySchema>;

export const deleteAccountBodySchema = z
  .strictObject({ password: z.string().min(1).max(256).meta({ format: 'password' }) })
  .meta({ id: 'DeleteAccountBody', description: "The account's password, to confirm." });
export type DeleteAccountBody = z.infer<typeof deleteAccountBodySchema>;

export const meResultSchema = z.object({ user: restUserSchema }).meta({ id: 'MeResult' });
export type MeResult = z.infer<typeof meResultSchema>;

export const userSearchResultSchema = z.object({ users: z.array(restUserSchema) }).meta({ id: 'UserSearchResult' });
export type UserSearchResult = z.infer<typeof userSearchResultSchema>;

export const assignResultSchema = z
  .object({
    nodeId: z.string().meta({ example: 'im-1' }),
    url: z.string().meta({ description: 'the base URL a browser passes to `io(url, { path })`', example: 'https://chat.example.com' }),
    path: z.string().meta({
      description:
        'the Socket.IO path to connect with: `/socket.io` when the node is reached directly, `/n/<nodeId>/socket.io` when every node is reached through the one public entry (PARLEY_PUBLIC_ENTRY)',
      example: '/n/im-1/socket.io',
    }),
  })
  .meta({ id: 'AssignResult' });
export type AssignResult = z.infer<typeof assignResultSchema>;

export const nodeListResultSchema = z
  .object({ nodes: z.array(assignResultSchema).meta({ description: 'the healthy IM nodes this gateway may hand out' }) })
  .meta({ id: 'NodeList' });
export type NodeListResult = z.infer<typeof nodeListResultSchema>;

export const healthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
export type Health = z.infer<typeof healthSchema>;

export const readinessSchema = z.object({ status: z.literal('ready') }).meta({ id: 'Readiness' });
export type Readiness = z.infer<typeof readinessSchema>;

export const errorCodeSchema = z
  .enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]])
  .meta({ id: 'ErrorCode', description: 'Stable code clients switch on.' });

/** RFC 9457 problem document with Parley's stable `code` (`application/problem+json`). */
export const problemBodySchema = z
  .object({
    type: z.string().meta({ example: 'about:blank' }),
    title: z.string().meta({ description: "the code's fixed title", example: 'Invalid credentials' }),
    status: z.number().int().meta({ description: 'the HTTP status', example: 401 }),
    code: errorCodeSchema,
    detail: z.string().meta({ description: 'what went wrong; names the offending field for INVALID_ARGUMENT' }),
    retryAfterMs: z.number().int().optional().meta({ description: 'RATE_LIMITED: when to retry (also the Retry-After header, in seconds)' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem document carrying a stable `code`.' });
export type ProblemBody = z.infer<typeof problemBodySchema>;
