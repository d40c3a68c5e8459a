import type { Logger } from '@parley/util';

/** What discovery logs with: a view of the one Logger type (objects carry context, never tokens or credentials). */
export type DiscoveryLog = Pick<Logger, 'info' | 'warn'>;

/** Message of anything thrown, for logs. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
