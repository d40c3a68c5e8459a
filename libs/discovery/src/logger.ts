/**
 * The little logging discovery needs; a pino logger fits as is. Objects carry
 * context (node id, attempt, error message), never tokens or credentials.
 */
export interface DiscoveryLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export const silentLogger: DiscoveryLogger = {
  info: () => undefined,
  warn: () => undefined,
};

/** Message of anything thrown, for logs. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
