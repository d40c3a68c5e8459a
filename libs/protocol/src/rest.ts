import { z } from 'zod';
import type { User } from './models';

/** REST bodies of the gateway (PROTOCOL.md "REST on the gateway"). */
export const USERNAME_PATTERN = /^[a-zA-Z0-9_.-]{3,32}$/;

export const usernameSchema = z
  .string()
  .regex(USERNAME_PATTERN, 'must be 3-32 characters of letters, digits, "_", "." or "-"');

export const passwordSchema = z.string().min(8, 'must be at least 8 characters').max(256);

export const registerBodySchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  displayName: z.string().trim().min(1).max(64).optional(),
});
export type RegisterBody = z.infer<typeof registerBodySchema>;

export const loginBodySchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export const updateMeBodySchema = z.strictObject({
  displayName: z.string().trim().min(1).max(64).optional(),
  avatarUrl: z.url({ protocol: /^https?$/ }).max(512).optional(),
  bio: z.string().max(500).optional(),
});
export type UpdateMeBody = z.infer<typeof updateMeBodySchema>;

export const userSearchQuerySchema = z.object({
  q: z.string().trim().min(1).max(64),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
});
export type UserSearchQuery = z.infer<typeof userSearchQuerySchema>;

export const assignQuerySchema = z.object({
  room: z.string().min(1).max(128).optional(),
});
export type AssignQuery = z.infer<typeof assignQuerySchema>;

export interface AuthResult {
  user: User;
  token: string;
  expiresAt: number;
}

export interface AssignResult {
  nodeId: string;
  url: string;
}

/** RFC 9457 problem document with Parley's stable `code`. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  retryAfterMs?: number;
}
