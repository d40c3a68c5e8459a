/**
 * The few logger methods the relay uses; a pino logger fits as is.
 * Kept local so the relay does not depend on a logging engine.
 */
export interface RelayLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const noop = (): void => undefined;

export const silentLogger: RelayLogger = { debug: noop, info: noop, warn: noop, error: noop };
