import { ParleyError } from '@parley/protocol';
import { describe } from '../describe-error';

/** The admin API's refusals, as an operator reads them (other codes fall back to the chat's wording). */
const ADMIN_TEXT: Partial<Record<string, string>> = {
  FORBIDDEN: 'Only operators may do this, and this account is not one (PARLEY_ADMIN_USERS or the admin role in the store).',
  NOT_FOUND: 'Not found: the user or node no longer exists, or the node has left the fleet.',
  NO_NODES: 'No IM node is connected to carry this out.',
  UNAVAILABLE: 'The gateway or the node did not answer. Nothing may have happened: check the fleet and the audit log, then try again.',
  UNAUTHORIZED: 'Your session has ended. Sign in again.',
  INTERNAL: 'The gateway failed to do this. Its log says why.',
};

/** Fields of the admin API's bodies and queries, as the console names them ("text" is not a chat message here). */
const ADMIN_FIELDS: Partial<Record<string, string>> = { text: 'The notice', reason: 'The reason', q: 'The search' };

/** A failed admin request, said plainly; a rate limit says how long to wait. */
export function describeAdminError(err: unknown): string {
  if (!(err instanceof ParleyError)) return describe(err);
  if (err.code === 'RATE_LIMITED') return `Too many admin actions. ${waitText(err.retryAfterMs)}`;
  if (err.code === 'INVALID_ARGUMENT') {
    const field = /^(\w+): (.+)$/s.exec(err.message);
    const label = field?.[1] ? ADMIN_FIELDS[field[1]] : undefined;
    if (label && field?.[2]) return `${label} ${field[2]}`;
  }
  if (err.code === 'INVALID_ARGUMENT' || err.code === 'CONFLICT') return describe(err);
  // A shape this console does not know: the console's own words are the clearest.
  if (err.code === 'INTERNAL' && err.message.startsWith('the gateway answered in a shape')) return capitalize(err.message);
  return ADMIN_TEXT[err.code] ?? describe(err);
}

function waitText(retryAfterMs: number | undefined): string {
  if (retryAfterMs === undefined || retryAfterMs <= 0) return 'Wait a moment and try again.';
  const seconds = Math.ceil(retryAfterMs / 1000);
  return `Try again in ${seconds < 90 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`}.`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
