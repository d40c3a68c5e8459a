// Browser-safe helpers only (the web client and the SDK use this lib); Node-only
// ones (pino logger, env config, ids, signals) are in @parley/util-node.
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
export { definedOnly } from './defined-only';
export { hash32 } from './hash';
export { silentLogger, type Logger } from './logger';
export { must } from './must';
