import { ParleyError } from '@parley/protocol';

const FRIENDLY: Partial<Record<string, string>> = {
  UNAVAILABLE: 'The server is unavailable right now. Try again in a moment.',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FOUND: 'Not found.',
  RATE_LIMITED: 'Slow down a little and try again.',
  NO_NODES: 'No chat server is available right now.',
};

/** A message for a person, from any error. */
export function describe(err: unknown): string {
  if (err instanceof ParleyError) {
    if (err.code === 'FORBIDDEN' || err.code === 'INVALID_ARGUMENT' || err.code === 'CONFLICT') return capitalize(err.message);
    return FRIENDLY[err.code] ?? capitalize(err.message);
  }
  return err instanceof Error ? err.message : String(err);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
