export { createLogger, REDACTED_PATHS, type Logger, type LoggerOptions } from './logger';
export { parseEnvConfig, csv } from './env-config';
export { backoffDelay, type BackoffOptions } from './backoff';
