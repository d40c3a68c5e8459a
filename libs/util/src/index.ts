export { createLogger, REDACTED_PATHS, type Logger, type LoggerOptions } from './logger';
export { parseEnvConfig, csv } from './env-config';
export { backoffDelay, type BackoffOptions } from './backoff';
export { logEnv, jwtEnv, storeEnv, consulEnv, storeConfigOf } from './env-fragments';
export { createUlidGenerator } from './ids.ulid';
export { onShutdownSignal } from './shutdown';
