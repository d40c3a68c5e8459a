import {
  AccountService,
  NodeAssigner,
  RateLimiter,
  createRouter,
  type Clock,
  type IdGenerator,
  type NodeDirectory,
  type PasswordHasher,
  type RouterKind,
  type Store,
  type TokenService,
} from '@parley/domain';
import { RelayServer, type RelayAuth } from '@parley/relay';
import type { Logger } from '@parley/util';
import { GatewayServer } from './gateway-server';
import { createHttpApp } from './http/http-app';

export interface GatewayParts {
  gatewayId: string;
  /** The relay's bind address (internal; see PARLEY_RELAY_HOST). */
  relayHost: string;
  relayPort: number;
  relayAuth: RelayAuth;
  router: RouterKind;
  staticDir?: string;
  store: Store;
  directory: NodeDirectory;
  hasher: PasswordHasher;
  tokens: TokenService;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
}

/** Wires a gateway from its adapters; shared by the gateway app and embedded mode. */
export function createGateway(parts: GatewayParts): GatewayServer {
  const { store, hasher, tokens, ids, clock, directory, logger } = parts;
  // 10 failed logins per username, then one more every 6 s.
  const loginFailures = new RateLimiter(clock, { ratePerSec: 1 / 6, burst: 10 });
  const accounts = new AccountService({ store, hasher, tokens, ids, clock, loginFailures });
  const app = createHttpApp({
    accounts,
    assigner: new NodeAssigner(directory, createRouter(parts.router)),
    directory,
    logger,
    staticDir: parts.staticDir,
  });
  const relay = new RelayServer({
    gatewayId: parts.gatewayId,
    host: parts.relayHost,
    port: parts.relayPort,
    auth: parts.relayAuth,
    logger: logger.child({ component: 'relay' }),
  });
  return new GatewayServer({ app, relay, directory, logger });
}
