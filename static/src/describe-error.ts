import { ParleyError, type SessionEndReason } from '@parley/protocol';

const FRIENDLY: Partial<Record<string, string>> = {
  UNAVAILABLE: 'The server is unavailable right now. Try again in a moment.',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FOUND: 'Not found.',
  NO_NODES: 'No chat server is available right now.',
  UNAUTHORIZED: 'Your session has ended. Please sign in again.',
  INVALID_CREDENTIALS: 'Wrong username or password.',
  ACCOUNT_SUSPENDED: 'This account is suspended by an operator of this server. You cannot sign in until the suspension is lifted.',
  USERNAME_TAKEN: 'That username is already taken. Pick another one.',
  PAYLOAD_TOO_LARGE: 'That is too large to send.',
  UNSUPPORTED_MEDIA_TYPE: 'The server could not read that request. Reload the page and try again.',
};

/** What the server calls a field (`field: rule` in INVALID_ARGUMENT messages), as a person reads it. */
const FIELD_LABELS: Partial<Record<string, string>> = {
  username: 'Username',
  password: 'Password',
  currentPassword: 'Current password',
  newPassword: 'New password',
  displayName: 'Display name',
  avatarUrl: 'Avatar URL',
  bio: 'Bio',
  name: 'Name',
  announcement: 'Announcement',
  note: 'Note',
  text: 'Message',
  'body.text': 'Message',
};

/** A rule the server words for machines, said plainly (the server's own words stay for the rest). */
const PLAIN_RULES: [RegExp, string][] = [
  [/control, zero-width or direction-override characters/i, 'must not contain invisible characters (control, zero-width or text-direction characters)'],
];

/** Why a session ended, for the sign-in screen. */
const SESSION_ENDED: Record<SessionEndReason, string> = {
  expired: 'Your session has expired. Please sign in again.',
  logout: 'You were signed out.',
  'logout-all': 'You were signed out on this device because you signed out everywhere.',
  'password-changed': 'You were signed out on this device because your password was changed.',
  'account-deleted': 'Your account was deleted.',
  'refresh-reused':
    'You were signed out because this session was used from somewhere else. Sign in again and consider changing your password.',
  disconnected: 'An operator of this server disconnected you. You can sign in again.',
  suspended: 'Your account was suspended by an operator of this server. You cannot sign in until the suspension is lifted.',
};

/** A message for a person, from any error. */
export function describe(err: unknown): string {
  if (err instanceof ParleyError) {
    if (err.code === 'RATE_LIMITED') return tooMany(err.retryAfterMs);
    // A proxy's own 413 page has no problem body: the client library only knows the status.
    if (err.message === 'HTTP 413') return FRIENDLY.PAYLOAD_TOO_LARGE ?? err.message;
    if (err.code === 'INVALID_ARGUMENT') return invalidArgument(err.message);
    if (err.code === 'FORBIDDEN' || err.code === 'CONFLICT') return capitalize(err.message);
    return FRIENDLY[err.code] ?? capitalize(err.message);
  }
  return err instanceof Error ? err.message : String(err);
}

/** An error of the sign-in or sign-up form. */
export function describeAuthError(err: unknown): string {
  if (err instanceof ParleyError && err.code === 'INVALID_ARGUMENT') return `Please check the form: ${describe(err)}`;
  if (err instanceof ParleyError && (err.code === 'UNAVAILABLE' || err.code === 'NO_NODES')) return 'Cannot reach the server right now. Try again in a moment.';
  if (!(err instanceof ParleyError)) return 'Something went wrong. Please try again.';
  return describe(err);
}

/** An error of an account action confirmed with the password (change it, delete the account). */
export function describeAccountError(err: unknown): string {
  if (err instanceof ParleyError && err.code === 'INVALID_CREDENTIALS') return 'That is not your current password.';
  return describe(err);
}

/** Why this device was signed out; `undefined`: the session could not be renewed (reason unknown). */
export function describeSessionEnd(reason: SessionEndReason | undefined): string {
  return reason ? SESSION_ENDED[reason] : 'Your session has ended. Please sign in again.';
}

/** "Too many attempts", with how long to wait when the server said. */
function tooMany(retryAfterMs: number | undefined): string {
  if (retryAfterMs === undefined || retryAfterMs <= 0) return 'Too many attempts. Wait a moment and try again.';
  const seconds = Math.ceil(retryAfterMs / 1000);
  const wait = seconds < 90 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
  return `Too many attempts. Try again in ${wait}.`;
}

/** `field: rule` becomes "Field rule" (or "Field: rule"); anything else is passed on, capitalized. */
function invalidArgument(message: string): string {
  const match = /^([\w.]+): (.+)$/s.exec(message);
  const label = match?.[1] ? FIELD_LABELS[match[1]] : undefined;
  if (!match?.[2] || !label) return capitalize(message);
  const rule = PLAIN_RULES.find(([pattern]) => pattern.test(match[2] ?? ''))?.[1] ?? match[2];
  if (/^too\b/.test(rule)) return `${label} is ${rule}`;
  return /^(must|is|are|should|cannot|can't|may|needs?|contains?|looks?)\b/.test(rule) ? `${label} ${rule}` : `${label}: ${rule}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
