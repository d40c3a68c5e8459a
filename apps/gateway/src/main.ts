import path from 'node:path';
import { Argon2PasswordHasher, JwtTokenService, ZxcvbnPasswordPolicy } from '@parley/auth';
import { ConsulNodeDirectory, StaticNodeDirectory } from '@parley/discovery';
import { systemClock } from '@parley/domain';
import { createGateway } from '@parley/gateway-server';
import { openThrottles } from '@parley/limits';
import { createRedisClient } from '@parley/presence';
import { openStore } from '@parley/store';
import { RelayAuth } from '@parley/relay';
import { createLogger, createUlidGenerator, describeStartupError, onShutdownSignal, relayAuthOf, storeConfigOf } from '@parley/util-node';
import { limitsOf, loadGatewayConfig, parseStaticNodes } from './config';

/** Composition root of a gateway: config, adapters, the gateway, signals. */
async function main(): Promise<void> {
  const config = loadGatewayConfig(process.env);
  const logger = createLogger({ name: 'gateway', level: config.PARLEY_LOG_LEVEL });
  const clock = systemClock;
  const store = await openStore(storeConfigOf(config));
  // Login and registration counters: in Redis every gateway shares them; without it each counts alone.
  const limits = openThrottles({
    redisUrl: config.PARLEY_REDIS_URL,
    keyPrefix: config.PARLEY_REDIS_PREFIX,
    connectRedis: (url, onError) => createRedisClient(url, {}, onError),
    logger,
    withoutRedisNotice: 'limits counted in this process (no PARLEY_REDIS_URL): run one gateway, or give them a Redis',
  });
  const directory =
    config.PARLEY_DISCOVERY === 'consul'
      ? new ConsulNodeDirectory({
          address: config.PARLEY_CONSUL_ADDR,
          serviceName: config.PARLEY_CONSUL_SERVICE,
          token: config.PARLEY_CONSUL_TOKEN,
          logger: logger.child({ component: 'discovery' }),
        })
      : new StaticNodeDirectory(parseStaticNodes(config.PARLEY_STATIC_NODES));
  const gateway = createGateway({
    gatewayId: config.PARLEY_GATEWAY_ID,
    relayHost: config.PARLEY_RELAY_HOST,
    relayPort: config.PARLEY_RELAY_PORT,
    relayAuth: new RelayAuth(relayAuthOf(config)),
    router: config.PARLEY_ROUTER,
    staticDir: path.resolve(config.PARLEY_STATIC_DIR),
    store,
    directory,
    nodeUrlAllow: config.PARLEY_NODE_URL_ALLOW,
    hasher: new Argon2PasswordHasher({ concurrency: config.PARLEY_ARGON2_CONCURRENCY, maxQueue: config.PARLEY_ARGON2_MAX_QUEUE }),
    throttles: limits.throttles,
    limits: limitsOf(config),
    trustProxy: config.PARLEY_TRUST_PROXY,
    ipv6PrefixBits: config.PARLEY_IPV6_PREFIX,
    passwordPolicy: new ZxcvbnPasswordPolicy(),
    tokens: new JwtTokenService({ secret: config.PARLEY_JWT_SECRET, ttlSeconds: config.PARLEY_JWT_TTL_SECONDS }, clock),
    refreshTtlSeconds: config.PARLEY_REFRESH_TTL_SECONDS,
    ids: createUlidGenerator(),
    clock,
    logger,
  });
  const { httpUrl, relayPort } = await gateway.start({ host: config.PARLEY_HOST, port: config.PARLEY_PORT });
  process.stdout.write(`PARLEY_GATEWAY_READY ${JSON.stringify({ httpUrl, relayPort })}\n`);

  onShutdownSignal(
    async () => {
      await gateway.stop();
      limits.close();
      await store.close();
    },
    (msg) => logger.info(msg),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`gateway failed to start: ${describeStartupError(err)}\n`);
  process.exit(1);
});
