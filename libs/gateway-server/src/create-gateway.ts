import {
  AccountService,
  NodeAssigner,
  createRouter,
  type Clock,
  type IdGenerator,
  type NodeDirectory,
  type PasswordHasher,
  type RouterKind,
  type Store,
  type TokenService,
} from '@parley/domain';
import { RelayServer } from '@parley/relay';
import type { Logger } from '@parley/util';
import { GatewayServer } from './gateway-server';
import { createHttpApp } from './http/http-app';

export interface GatewayParts {
  gatewayId: string;
  host: string;
  relayPort: number;
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
  const accounts = new AccountService({ store, hasher, tokens, ids, clock });
  const app = createHttpApp({
    accounts,
    assigner: new NodeAssigner(directory, createRouter(parts.router)),
    directory,
    logger,
    staticDir: parts.staticDir,
  });
  const relay = new RelayServer({
    gatewayId: parts.gatewayId,
    host: parts.host,
    port: parts.relayPort,
    logger: logger.child({ component: 'relay' }),
  });
  return new GatewayServer({ app, relay, directory, logger });
}
