import path from 'node:path';
import { createAttachments } from '@parley/attachments';
import { Argon2PasswordHasher, JwtTokenService, ZxcvbnPasswordPolicy } from '@parley/auth';
import { systemClock } from '@parley/domain';
import { createGateway, gatewayPushOf } from '@parley/gateway-server';
import { openThrottles } from '@parley/limits';
import { pushConfigFromEnv } from '@parley/push';
import { contentPolicyOf } from '@parley/moderation';
import { createRedisClient } from '@parley/presence';
import { openStore } from '@parley/store';
import { ParleyMetrics, routeTracerOf, timedPort } from '@parley/observability';
import { RelayAuth } from '@parley/relay';
import {
  advertiseHostOf,
  createLogger,
  createUlidGenerator,
  describeStartupError,
  onShutdownSignal,
  relayAuthOf,
  storeConfigOf,
  storeWaitMsOf,
} from '@parley/util-node';
import { limitsOf, loadGatewayConfig } from './config';
import { gatewayRegistrarOf, gatewayRegistration, nodeDirectoryOf, warnOnLoopbackRelay } from './discovery';

/** Composition root of a gateway: config, adapters, the gateway, signals. */
async function main(): Promise<void> {
  const config = loadGatewayConfig(process.env);
  const logger = createLogger({ name: 'gateway', level: config.PARLEY_LOG_LEVEL });
  const clock = systemClock;
  const advertiseHost = advertiseHostOf(config.PARLEY_HOST, config.PARLEY_ADVERTISE_HOST);
  warnOnLoopbackRelay(config, advertiseHost, logger);
  // The process's one registry; the store's calls are timed in it (parley_store_operation_duration_seconds).
  const metrics = new ParleyMetrics();
  const store = timedPort(
    await openStore(storeConfigOf(config), { waitMs: storeWaitMsOf(config), logger: logger.child({ component: 'store' }) }),
    metrics.storeDuration,
    metrics.forGateway(config.PARLEY_GATEWAY_ID),
  );
  // Login and registration counters: in Redis every gateway shares them; without it each counts alone.
  const limits = openThrottles({
    redisUrl: config.PARLEY_REDIS_URL,
    keyPrefix: config.PARLEY_REDIS_PREFIX,
    connectRedis: (url, onError) => createRedisClient(url, {}, onError),
    logger,
    withoutRedisNotice: 'limits counted in this process (no PARLEY_REDIS_URL): run one gateway, or give them a Redis',
  });
  const directory = nodeDirectoryOf(config, logger.child({ component: 'discovery' }));
  const registrar = gatewayRegistrarOf(config, logger.child({ component: 'discovery' }));
  const tracing = routeTracerOf(config, config.PARLEY_GATEWAY_ID, logger);
  const ids = createUlidGenerator();
  // The same blob store as every IM node (they claim uploads at send).
  const attachments = createAttachments({ env: config, store, jwtSecret: config.PARLEY_JWT_SECRET, ids, clock, logger: logger.child({ component: 'uploads' }) });
  const gateway = createGateway({
    gatewayId: config.PARLEY_GATEWAY_ID,
    relayHost: config.PARLEY_RELAY_HOST,
    relayPort: config.PARLEY_RELAY_PORT,
    // Nodes dial the address registered in Consul: their proofs name it (see RelayAudiences).
    relayAdvertiseHost: advertiseHost,
    relayAudiences: config.PARLEY_RELAY_AUDIENCES,
    relayAuth: new RelayAuth(relayAuthOf(config)),
    relayMaxQueuedFrames: config.PARLEY_RELAY_MAX_QUEUED_FRAMES,
    router: config.PARLEY_ROUTER,
    staticDir: path.resolve(config.PARLEY_STATIC_DIR),
    store,
    directory,
    nodeUrlAllow: config.PARLEY_NODE_URL_ALLOW,
    publicEntry: config.PARLEY_PUBLIC_ENTRY,
    hasher: new Argon2PasswordHasher({ concurrency: config.PARLEY_ARGON2_CONCURRENCY, maxQueue: config.PARLEY_ARGON2_MAX_QUEUE }),
    throttles: limits.throttles,
    throttlesRedis: limits.redis,
    metrics,
    metricsPort: config.PARLEY_METRICS_PORT,
    limits: limitsOf(config),
    trustProxy: config.PARLEY_TRUST_PROXY,
    ipv6PrefixBits: config.PARLEY_IPV6_PREFIX,
    passwordPolicy: new ZxcvbnPasswordPolicy(),
    tokens: new JwtTokenService({ secret: config.PARLEY_JWT_SECRET, ttlSeconds: config.PARLEY_JWT_TTL_SECONDS }, clock),
    refreshTtlSeconds: config.PARLEY_REFRESH_TTL_SECONDS,
    ids,
    adminUsernames: config.PARLEY_ADMIN_USERS,
    clock,
    logger,
    routeTracer: tracing.tracer,
    // Display names only: the before-send webhook is the nodes' (messages).
    content: contentPolicyOf(config, logger.child({ component: 'moderation' }), { webhook: false }),
    attachments,
    uploadSweepMs: config.PARLEY_UPLOAD_SWEEP_SEC * 1_000,
    // The VAPID public key for browsers and the endpoint policy at subscribe time; nodes send the pushes.
    push: gatewayPushOf(pushConfigFromEnv(process.env)),
  });
  const { httpUrl, relayPort, metricsPort } = await gateway.start({ host: config.PARLEY_HOST, port: config.PARLEY_PORT });
  // Listening first: Consul's first check of /readyz, and nodes dialling the relay, find it up.
  await registrar?.register(gatewayRegistration(config.PARLEY_GATEWAY_ID, advertiseHost, relayPort, Number(new URL(httpUrl).port)));
  process.stdout.write(`PARLEY_GATEWAY_READY ${JSON.stringify({ httpUrl, relayPort, metricsPort })}\n`);

  onShutdownSignal(
    async () => {
      // Out of discovery first, so nodes close their streams here rather than see them cut.
      await registrar?.deregister(config.PARLEY_GATEWAY_ID).catch((err: unknown) => logger.warn({ err }, 'deregistration failed'));
      await registrar?.close();
      await gateway.stop();
      attachments.close();
      limits.close();
      await store.close();
      await tracing.close();
    },
    (msg) => logger.info(msg),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`gateway failed to start: ${describeStartupError(err)}\n`);
  process.exit(1);
});
