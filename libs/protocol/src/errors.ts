/**
 * Every error Parley reports, in one place. `code` is the stable string
 * clients switch on; the HTTP status and whether a retry may help travel
 * with it, and are mapped to HTTP / socket acks / gRPC only at the edges.
 */
export const ERROR_CODES = {
  UNAUTHORIZED: { status: 401, temporary: false, title: 'Unauthorized' },
  INVALID_CREDENTIALS: { status: 401, temporary: false, title: 'Invalid credentials' },
  FORBIDDEN: { status: 403, temporary: false, title: 'Forbidden' },
  ACCOUNT_SUSPENDED: { status: 403, temporary: false, title: 'Account suspended' },
  NOT_FOUND: { status: 404, temporary: false, title: 'Not found' },
  USERNAME_TAKEN: { status: 409, temporary: false, title: 'Username taken' },
  CONFLICT: { status: 409, temporary: false, title: 'Conflict' },
  INVALID_ARGUMENT: { status: 400, temporary: false, title: 'Invalid argument' },
  PAYLOAD_TOO_LARGE: { status: 413, temporary: false, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, temporary: false, title: 'Unsupported media type' },
  /** The sensitive-word filter (reject mode) or the before-send webhook refused the text. */
  CONTENT_REJECTED: { status: 422, temporary: false, title: 'Content rejected' },
  RATE_LIMITED: { status: 429, temporary: true, title: 'Rate limited' },
  NO_NODES: { status: 503, temporary: true, title: 'No IM node available' },
  UNAVAILABLE: { status: 503, temporary: true, title: 'Service unavailable' },
  INTERNAL: { status: 500, temporary: true, title: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  retryAfterMs?: number;
}

export class ParleyError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, options: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ParleyError';
    this.code = code;
    this.retryAfterMs = options.retryAfterMs;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get temporary(): boolean {
    return ERROR_CODES[this.code].temporary;
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (this.retryAfterMs !== undefined) body.retryAfterMs = this.retryAfterMs;
    return body;
  }
}

/** Turns anything thrown into a ParleyError; unknown failures become INTERNAL without leaking details. */
export function toParleyError(err: unknown): ParleyError {
  if (err instanceof ParleyError) return err;
  return new ParleyError('INTERNAL', 'internal error', { cause: err });
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}
