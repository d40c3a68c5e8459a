// Node-only helpers: the pino logger, env configuration, ids, signals.
export { createLogger, REDACTED_PATHS, type LoggerOptions } from './logger';
export { parseEnvConfig, csv } from './env-config';
export { DEFAULT_JWT_TTL_SECONDS, logEnv, jwtEnv, storeEnv, consulEnv, storeConfigOf, storeWaitMsOf } from './env-fragments';
export { advertiseEnv, advertiseHostOf, hostPort, isWildcardHost } from './advertise-host';
export { relayAuthEnv, relayAudiencesEnv, relayAuthOf, type RelayAuthConfig, type RelayAuthEnv } from './relay-env';
export { strongSecret, secretWeakness, SECRET_HINT } from './secret-strength';
export { createUlidGenerator } from './ids.ulid';
export { onShutdownSignal, type ShutdownProcess, type ShutdownTrigger } from './shutdown';
export { ensurePrivateDir, ensurePrivateFile, narrowToOwner } from './private-files';
export { describeStartupError } from './startup-error';
export { readBodyCapped } from './capped-body';
