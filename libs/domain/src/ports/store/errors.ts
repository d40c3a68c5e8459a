import { MAX_PINNED, ParleyError, type ErrorCode, type RequestStatus } from '@parley/protocol';

/**
 * Every way a store refuses or fails: the error code and the words a user
 * sees, written here once for all engines. Engines throw a StoreError naming
 * the reason (and its details); they never write the wording.
 */
const REASONS = {
  // Refusals of one request.
  'username-taken': { code: 'USERNAME_TAKEN', text: 'username is taken' },
  'user-not-found': { code: 'NOT_FOUND', text: 'user not found' },
  'unknown-group-member': { code: 'NOT_FOUND', text: 'unknown group member' },
  'group-not-found': { code: 'NOT_FOUND', text: 'group not found' },
  'group-full': {
    code: 'CONFLICT',
    text: ({ maxMembers }: { maxMembers: number }) => `the group is full (at most ${maxMembers} members)`,
  },
  'not-a-member': { code: 'NOT_FOUND', text: 'not a member' },
  'not-a-member-or-owner': { code: 'NOT_FOUND', text: 'not a member (or the owner)' },
  'not-in-conversation': { code: 'NOT_FOUND', text: 'not a member of this conversation' },
  'malformed-conversation-id': { code: 'INVALID_ARGUMENT', text: 'malformed group conversation id' },
  'friend-request-pending': { code: 'CONFLICT', text: 'a friend request is already pending' },
  'request-not-found': { code: 'NOT_FOUND', text: 'request not found' },
  'request-resolved': {
    code: 'CONFLICT',
    text: ({ status }: { status: RequestStatus }) => `the request is already ${status}`,
  },
  'request-changed': { code: 'CONFLICT', text: 'the request changed meanwhile; retry' },
  'too-many-invitations': { code: 'CONFLICT', text: 'this user has too many pending group invitations' },
  'message-not-found': { code: 'NOT_FOUND', text: 'message not found' },
  'message-recalled': { code: 'CONFLICT', text: 'the message was recalled' },
  'not-editable': { code: 'INVALID_ARGUMENT', text: 'only text messages can be edited' },
  'too-many-reactions': {
    code: 'CONFLICT',
    text: ({ limit }: { limit: string }) => `too many reactions on this message (${limit})`,
  },
  'upload-not-found': { code: 'NOT_FOUND', text: 'upload not found' },
  'upload-not-ready': { code: 'CONFLICT', text: 'the upload has not been received yet' },
  'upload-used': { code: 'CONFLICT', text: 'the upload was already sent in another message' },
  'too-many-pins': { code: 'CONFLICT', text: `at most ${MAX_PINNED} conversations can be pinned; unpin one first` },
  // Constraints the database enforced where no refusal above names the case.
  'referenced-missing': { code: 'NOT_FOUND', text: 'referenced record not found' },
  duplicate: { code: 'CONFLICT', text: 'record already exists' },
  'value-too-large': { code: 'INVALID_ARGUMENT', text: 'value does not fit the store' },
  // The store cannot serve now (retrying later may help), or failed.
  unavailable: { code: 'UNAVAILABLE', text: 'store unavailable' },
  'connection-timeout': { code: 'UNAVAILABLE', text: 'store unavailable: timed out waiting for a connection' },
  'migration-lock-timeout': { code: 'UNAVAILABLE', text: 'timed out waiting for the migration lock' },
  closed: { code: 'UNAVAILABLE', text: 'store closed' },
  internal: { code: 'INTERNAL', text: 'store error' },
} as const satisfies Record<string, { code: ErrorCode; text: string | ((details: never) => string) }>;

export type StoreErrorReason = keyof typeof REASONS;

/** The details a reason's wording needs (`undefined` when it needs none). */
export type StoreErrorDetails<R extends StoreErrorReason> = (typeof REASONS)[R]['text'] extends (details: infer D) => string
  ? D
  : undefined;

type StoreErrorArgs<R extends StoreErrorReason> =
  StoreErrorDetails<R> extends undefined
    ? [options?: { cause?: unknown }]
    : [details: StoreErrorDetails<R> & { cause?: unknown }];

/**
 * What a Store engine throws: a ParleyError (so edges map it by code as any
 * other) that also names its `reason`, the typed cause the domain can test.
 */
export class StoreError<R extends StoreErrorReason = StoreErrorReason> extends ParleyError {
  readonly reason: R;

  constructor(reason: R, ...[details]: StoreErrorArgs<R>) {
    const { code, text }: { code: ErrorCode; text: string | ((details: never) => string) } = REASONS[reason];
    const cause = (details as { cause?: unknown } | undefined)?.cause;
    super(code, typeof text === 'string' ? text : text(details as never), cause === undefined ? {} : { cause });
    this.name = 'StoreError';
    this.reason = reason;
  }
}

/** True for a StoreError of that reason. */
export function isStoreError<R extends StoreErrorReason>(err: unknown, reason: R): err is StoreError<R> {
  return err instanceof StoreError && err.reason === reason;
}
