import { MAX_PINNED, ParleyError, type SessionEndReason } from '@parley/protocol';
import { t } from './i18n';

/** Codes the client words itself (in the page's language); others keep the server's (English) message. */
const FRIENDLY = new Set([
  'UNAVAILABLE',
  'FORBIDDEN',
  'NOT_FOUND',
  'NO_NODES',
  'UNAUTHORIZED',
  'INVALID_CREDENTIALS',
  'ACCOUNT_SUSPENDED',
  'USERNAME_TAKEN',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
]);

/** Conflicts the client words itself; other CONFLICT messages are the server's (specific, and English). */
const FRIENDLY_CONFLICTS: Partial<Record<string, () => string>> = {
  'too-many-pins': () => t('list.tooManyPins', { max: MAX_PINNED }),
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

/** A message for a person, from any error. */
export function describe(err: unknown): string {
  if (err instanceof ParleyError) {
    if (err.code === 'RATE_LIMITED') return tooMany(err.retryAfterMs);
    // A proxy's own 413 page has no problem body: the client library only knows the status.
    if (err.message === 'HTTP 413') return t('error.PAYLOAD_TOO_LARGE');
    if (err.code === 'INVALID_ARGUMENT') return invalidArgument(err.message);
    if (err.code === 'CONFLICT') return conflict(err);
    if (err.code === 'FORBIDDEN') return capitalize(err.message);
    return FRIENDLY.has(err.code) ? t(`error.${err.code}`) : capitalize(err.message);
  }
  return err instanceof Error ? err.message : String(err);
}

/** An error of the sign-in or sign-up form. */
export function describeAuthError(err: unknown): string {
  if (err instanceof ParleyError && err.code === 'INVALID_ARGUMENT') return t('error.checkForm', { detail: describe(err) });
  if (err instanceof ParleyError && (err.code === 'UNAVAILABLE' || err.code === 'NO_NODES')) return t('error.unreachable');
  if (!(err instanceof ParleyError)) return t('error.generic');
  return describe(err);
}

/** An error of an account action confirmed with the password (change it, delete the account). */
export function describeAccountError(err: unknown): string {
  if (err instanceof ParleyError && err.code === 'INVALID_CREDENTIALS') return t('error.wrongPassword');
  return describe(err);
}

/** Why this device was signed out; `undefined`: the session could not be renewed (reason unknown). */
export function describeSessionEnd(reason: SessionEndReason | undefined): string {
  return reason ? t(`ended.${reason}`) : t('error.sessionEnded');
}

/** "Too many attempts", with how long to wait when the server said. */
function tooMany(retryAfterMs: number | undefined): string {
  if (retryAfterMs === undefined || retryAfterMs <= 0) return t('error.tooMany');
  const seconds = Math.ceil(retryAfterMs / 1000);
  const wait = seconds < 90 ? t('error.seconds', { count: seconds }) : t('error.minutes', { count: Math.ceil(seconds / 60) });
  return t('error.tooManyWait', { wait });
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

/** A conflict the client recognizes (errors carry a code and a message only) in its own words. */
function conflict(err: ParleyError): string {
  const known = /\bpin/i.test(err.message) ? FRIENDLY_CONFLICTS['too-many-pins'] : undefined;
  return known ? known() : capitalize(err.message);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
