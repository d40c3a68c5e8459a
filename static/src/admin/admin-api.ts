import type { z } from 'zod';
import {
  ParleyError,
  auditPageSchema,
  adminUserListSchema,
  drainResultSchema,
  fleetSchema,
  postNoticeResultSchema,
  userActionResultSchema,
  type AdminUser,
  type AuditPage,
  type DrainResult,
  type Fleet,
  type NoticeLevel,
  type PostNoticeResult,
  type UserActionResult,
} from '@parley/protocol';

/** A REST call with the signed-in session's token (ParleyClient.rest: a refused token is renewed once). */
export type Rest = (method: string, path: string, body?: unknown) => Promise<unknown>;

/** What an operator may do to a user's sessions and account. */
export type UserAction = 'disconnect' | 'suspend' | 'unsuspend';

const id = (value: string): string => encodeURIComponent(value);

/**
 * The gateway's admin API (`/api/admin/*`), answers checked against the
 * protocol's schemas (a gateway of another version says so instead of
 * drawing nonsense). Refusals come back as ParleyErrors: FORBIDDEN for a
 * signed-in user who is not an operator.
 */
export class AdminApi {
  constructor(private readonly rest: Rest) {}

  async fleet(): Promise<Fleet> {
    return parse(fleetSchema, await this.rest('GET', '/api/admin/fleet'));
  }

  async findUsers(q: string): Promise<AdminUser[]> {
    const answer = parse(adminUserListSchema, await this.rest('GET', `/api/admin/users?q=${encodeURIComponent(q)}&limit=20`));
    return answer.users;
  }

  /** `reason`: why, for the audit log (optional). */
  async userAction(action: UserAction, userId: string, reason?: string): Promise<UserActionResult> {
    return parse(userActionResultSchema, await this.rest('POST', `/api/admin/users/${id(userId)}/${action}`, reason ? { reason } : {}));
  }

  async drain(nodeId: string, reason?: string): Promise<DrainResult> {
    return parse(drainResultSchema, await this.rest('POST', `/api/admin/nodes/${id(nodeId)}/drain`, reason ? { reason } : {}));
  }

  async postNotice(text: string, level: NoticeLevel): Promise<PostNoticeResult> {
    return parse(postNoticeResultSchema, await this.rest('POST', '/api/admin/notices', { text, level }));
  }

  /** A page of the audit log, newest first; `before`: the `next` of the page before. */
  async audit(before?: string, limit = 20): Promise<AuditPage> {
    const query = `limit=${limit}${before ? `&before=${encodeURIComponent(before)}` : ''}`;
    return parse(auditPageSchema, await this.rest('GET', `/api/admin/audit?${query}`));
  }
}

function parse<S extends z.ZodType>(schema: S, answer: unknown): z.infer<S> {
  const parsed = schema.safeParse(answer);
  if (!parsed.success) throw new ParleyError('INTERNAL', 'the gateway answered in a shape this console does not know (a different version?)');
  return parsed.data;
}
