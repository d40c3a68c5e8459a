/**
 * The one logger type every lib takes: structured context first, then the
 * message. A pino logger (`createLogger` in @parley/util-node) fits as is;
 * libs never depend on a logging engine.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  /** A logger that adds `bindings` to every line. */
  child(bindings: Record<string, unknown>): Logger;
}

const noop = (): void => undefined;

/** Logs nothing: the default where a logger is optional. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => silentLogger };
