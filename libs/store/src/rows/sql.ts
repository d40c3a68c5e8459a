/*
 * SQL helpers both dialects share. Row shapes and their mapping to the
 * port's records live beside their aggregate (users.ts, social.ts, …): both
 * engines return snake_case columns and select exactly those columns, so
 * each mapping is written once.
 */

/** `%query%` for LIKE with `!` as the escape character (same in both dialects). */
export function likeContains(query: string): string {
  return `%${query.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** Members a new conversation starts with, owner/sender first, without duplicates. */
export function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
