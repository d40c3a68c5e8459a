import { createAttachments } from '@parley/attachments';
import { JwtTokenService } from '@parley/auth';
import { ConsulNodeRegistrar, MemoryNodeRegistry } from '@parley/discovery';
import { systemClock, type Presence } from '@parley/domain';
import { DEFAULT_PRESENCE_KEEPER, ImNode } from '@parley/im-node';
import { openThrottles } from '@parley/limits';
import { contentPolicyOf } from '@parley/moderation';
import { MemoryPresence, RedisPresence, createRedisClient } from '@parley/presence';
import { RelayAuth, RelayClient } from '@parley/relay';
import { ParleyMetrics, messageTracerOf, meteredThrottles, startMetricsServer, timedPort } from '@parley/observability';
import { pushConfigFromEnv } from '@parley/push';
import { openStore } from '@parley/store';
import {
  createLogger,
  createUlidGenerator,
  describeStartupError,
  onShutdownSignal,
  relayAuthOf,
  storeConfigOf,
  storeWaitMsOf,
  type ShutdownTrigger,
} from '@parley/util-node';
import { loadImConfig } from './config';
import { gatewayDirectoryOf, relayAddressesOf } from './gateways';
import { nodePushOf } from './push';

/** Composition root of one IM node: config, adapters, the node, signals. */
async function main(): Promise<void> {
  const config = loadImConfig(process.env);
  const logger = createLogger({ name: 'im', level: config.PARLEY_LOG_LEVEL }).child({ nodeId: config.nodeId });
  for (const warning of config.warnings) logger.warn({}, warning);
  const clock = systemClock;
  const relayAuth = new RelayAuth(relayAuthOf(config));
  // The process's one registry; store and Redis calls are timed in it.
  const metrics = new ParleyMetrics();
  const role = metrics.forNode(config.nodeId);
  const batchSize = metrics.storeBatchSize.labels({ ...role, operation: 'appendMessage' });
  const store = await openStore(storeConfigOf(config), {
    waitMs: storeWaitMsOf(config),
    logger: logger.child({ component: 'store' }),
    observeBatch: (_operation, size) => batchSize.observe(size),
  });
  const presence: Presence = config.PARLEY_REDIS_URL
    ? timedPort(
        new RedisPresence(config.PARLEY_REDIS_URL, {
          keyPrefix: config.PARLEY_REDIS_PREFIX,
          clock,
          onError: (err) => logger.warn({ err: err.message }, 'redis connection error'),
        }),
        metrics.redisDuration,
        role,
      )
    : new MemoryPresence({ clock });
  // The cluster-wide per-user send limit: shared in Redis, or this process alone without it.
  const limits = openThrottles({
    redisUrl: config.PARLEY_REDIS_URL,
    keyPrefix: config.PARLEY_REDIS_PREFIX,
    connectRedis: (url, onError) => createRedisClient(url, {}, onError),
    logger,
  });
  const registrar =
    config.discovery === 'consul'
      ? new ConsulNodeRegistrar({
          address: config.PARLEY_CONSUL_ADDR,
          serviceName: config.PARLEY_CONSUL_SERVICE,
          token: config.PARLEY_CONSUL_TOKEN,
          logger: logger.child({ component: 'discovery' }),
        })
      : new MemoryNodeRegistry();
  // The gateways to keep relay streams to, followed as they come and go.
  const gateways = gatewayDirectoryOf(config, logger.child({ component: 'discovery' }));
  await gateways.start();
  const relay = new RelayClient({
    nodeId: config.nodeId,
    auth: relayAuth,
    gateways: relayAddressesOf(gateways.liveGateways()),
    logger: logger.child({ component: 'relay' }),
  });
  gateways.onChange((live) => {
    const addresses = relayAddressesOf(live);
    logger.info({ gateways: addresses }, 'relay gateways changed');
    relay.setGateways(addresses);
  });
  const tracing = messageTracerOf(config, config.nodeId, logger);
  const ids = createUlidGenerator();
  // The gateway's blob store: a send claims its upload here, checking the bytes if nobody did yet.
  const attachments = createAttachments({ env: config, store, jwtSecret: config.PARLEY_JWT_SECRET, ids, clock, logger: logger.child({ component: 'uploads' }) });
  // Pushes to users who are away (VAPID keys configured), sent from this node.
  const push = nodePushOf(pushConfigFromEnv(process.env), store, logger.child({ component: 'push' }), metrics);
  // Set once the signal handlers are installed (after start); an operator's drain before that is ignored.
  const shutdown: { drainNow?: ShutdownTrigger } = {};
  const node = new ImNode(
    {
      nodeId: config.nodeId,
      host: config.PARLEY_HOST,
      advertiseHost: config.PARLEY_ADVERTISE_HOST,
      port: config.PARLEY_PORT,
      publicUrl: config.PARLEY_PUBLIC_URL,
      drainSpreadMs: config.PARLEY_DRAIN_SPREAD_MS,
      drainTimeoutMs: config.PARLEY_DRAIN_TIMEOUT_MS,
      relayOutboxLimit: config.PARLEY_RELAY_OUTBOX_LIMIT,
      presence: { ...DEFAULT_PRESENCE_KEEPER, ttlMs: config.PARLEY_PRESENCE_TTL_MS, heartbeatMs: config.PARLEY_HEARTBEAT_MS },
      groups: { maxMembers: config.PARLEY_GROUP_MAX_MEMBERS },
      sendRatePerSec: config.PARLEY_SEND_RATE_PER_SEC,
      sendBurst: config.PARLEY_SEND_BURST,
      commandBurst: config.PARLEY_COMMAND_BURST,
      commandRatePerSec: config.PARLEY_COMMAND_RATE_PER_SEC,
      typingCoalesceMs: config.PARLEY_TYPING_COALESCE_MS,
      userSendLimit: config.PARLEY_USER_SEND_LIMIT,
      userSendWindowSec: config.PARLEY_USER_SEND_WINDOW_SEC,
      userSocialLimit: config.PARLEY_USER_SOCIAL_LIMIT,
      userSocialWindowSec: config.PARLEY_USER_SOCIAL_WINDOW_SEC,
      recallWindowMs: config.PARLEY_RECALL_WINDOW_MS,
      allowedOrigins: config.allowedOrigins,
      serveMetrics: config.PARLEY_METRICS_PORT === undefined,
      dependencyNames: { presence: config.PARLEY_REDIS_URL ? 'redis' : 'presence' },
      push,
    },
    {
      store: timedPort(store, metrics.storeDuration, role),
      presence,
      registrar,
      tokens: new JwtTokenService({ secret: config.PARLEY_JWT_SECRET, ttlSeconds: config.PARLEY_JWT_TTL_SECONDS }, clock),
      clock,
      ids,
      logger,
      // Each call to the Redis counters timed as `<throttle>.<method>` (user-send.consume); the node counts their refusals itself.
      throttles: meteredThrottles(limits.throttles, metrics, role, { timeRedis: Boolean(config.PARLEY_REDIS_URL), limitOf: () => undefined }),
      metrics,
      // An operator's drain (admin API) takes the SIGTERM path below (drain, then exit) through its
      // trigger, not a signal: asked during an orchestrator's drain it is ignored, not a second SIGTERM.
      adminDrain: () => shutdown.drainNow?.('SIGTERM'),
      relay,
      tracer: tracing.tracer,
      attachments: attachments.service,
      // Messages (word filter, then the before-send webhook) and group names (word filter).
      content: contentPolicyOf(config, logger.child({ component: 'moderation' })),
    },
  );
  const { url } = await node.start();
  const metricsServer =
    config.PARLEY_METRICS_PORT === undefined ? undefined : await startMetricsServer({ host: config.PARLEY_HOST, port: config.PARLEY_METRICS_PORT, metrics });
  process.stdout.write(`PARLEY_NODE_READY ${JSON.stringify({ nodeId: config.nodeId, url, metricsPort: metricsServer?.port })}\n`);

  shutdown.drainNow = onShutdownSignal(
    async (signal) => {
      if (signal === 'SIGTERM') await node.drain();
      else await node.close();
      // After the node: nothing queues more; pushes in flight finish, queued ones are dropped.
      await push?.pusher.close();
      await gateways.stop();
      await presence.close();
      attachments.close();
      limits.close();
      await store.close();
      await tracing.close();
      await metricsServer?.close();
    },
    (msg) => logger.info(msg),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`IM node failed to start: ${describeStartupError(err)}\n`);
  process.exit(1);
});
