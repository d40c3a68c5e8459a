import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { blobEnv, createAttachments } from '@parley/attachments';
import { Argon2PasswordHasher, JwtTokenService, ZxcvbnPasswordPolicy } from '@parley/auth';
import { MemoryNodeRegistry } from '@parley/discovery';
import { DEFAULT_REFRESH_TTL_SECONDS, DEFAULT_REGISTRATION_LIMITS, systemClock } from '@parley/domain';
import { createGateway, gatewayPushOf } from '@parley/gateway-server';
import { DEFAULT_IM_NODE, DEFAULT_PRESENCE_KEEPER, ImNode, servedWebOrigins } from '@parley/im-node';
import { MemoryThrottleFactory } from '@parley/limits';
import { contentPolicyOf, moderationEnv } from '@parley/moderation';
import { MemoryPresence } from '@parley/presence';
import { USERNAME_PATTERN } from '@parley/protocol';
import { PushDispatcher, WebPushEngine, pushConfigFromEnv, pushEnv } from '@parley/push';
import { RelayAuth, RelayClient } from '@parley/relay';
import { openStore } from '@parley/store';
import { ParleyMetrics, messageTracerOf, routeTracerOf, timedPort, traceEnv } from '@parley/observability';
import {
  createLogger,
  createUlidGenerator,
  describeStartupError,
  ensurePrivateDir,
  logEnv,
  narrowToOwner,
  onShutdownSignal,
  parseEnvConfig,
  strongSecret,
} from '@parley/util-node';
import { ADMIN_PASSWORD_FILE, adminLoginLine, ensureAdminLogin } from './admin-login';

const embeddedEnv = z
  .object({
    PARLEY_HOST: z.string().default('127.0.0.1'),
    /** The gateway's port; the two IM nodes take the next two. */
    PARLEY_PORT: z.coerce.number().int().min(1).max(65_533).default(8080),
    PARLEY_DATA_DIR: z.string().default('data'),
    PARLEY_JWT_SECRET: strongSecret().optional(),
    PARLEY_ROUTER: z.enum(['round-robin', 'room-hash']).default('round-robin'),
    PARLEY_STATIC_DIR: z.string().default('static/dist'),
    PARLEY_REFRESH_TTL_SECONDS: z.coerce.number().int().min(300).max(365 * 86_400).default(DEFAULT_REFRESH_TTL_SECONDS),
    /** Registrations per client address per window, as on a gateway (tests that register many users from loopback raise it). */
    PARLEY_REGISTER_PER_IP: z.coerce.number().int().min(1).default(DEFAULT_REGISTRATION_LIMITS.perIp),
    /** Usernames that may use the admin API and console (`ann,bob`), as on a gateway. */
    PARLEY_ADMIN_USERS: z
      .string()
      .default('')
      .transform((value) => value.split(',').map((name) => name.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(USERNAME_PATTERN, 'each entry must be a username'))),
    /** How long after sending its sender may recall a message, ms, as on an IM node (group owners and admins always may). */
    PARLEY_RECALL_WINDOW_MS: z.coerce.number().int().min(0).default(DEFAULT_IM_NODE.recallWindowMs),
  })
  .extend(logEnv.shape)
  .extend(traceEnv.shape)
  .extend(moderationEnv.shape)
  .extend(blobEnv.shape)
  // Read again by pushConfigFromEnv; without keys, a pair is generated once into data/vapid.json.
  .extend(pushEnv.shape)
  // Attachments live beside the database: a relative directory is under PARLEY_DATA_DIR.
  .extend({ PARLEY_BLOB_DIR: z.string().min(1).default('blobs') });

const NODE_COUNT = 2;

/**
 * Embedded mode: one process, no external services. A gateway and two IM
 * nodes on localhost, a SQLite file, in-process presence and registry; the
 * relay is the same gRPC as in a cluster, over loopback.
 */
async function main(): Promise<void> {
  const config = parseEnvConfig(embeddedEnv, { PARLEY_LOG_LEVEL: 'warn', ...process.env });
  const logger = createLogger({ name: 'parley', level: config.PARLEY_LOG_LEVEL });
  const clock = systemClock;
  const ids = createUlidGenerator();
  const dataDir = path.resolve(config.PARLEY_DATA_DIR);
  // Password hashes, messages and the token secret live here: 0700, its files 0600.
  ensurePrivateDir(dataDir);
  const jwtSecret = config.PARLEY_JWT_SECRET ?? loadOrCreateSecret(dataDir);
  const tokens = new JwtTokenService({ secret: jwtSecret }, clock);
  const store = await openStore({ kind: 'sqlite', filename: path.join(dataDir, 'parley.db') });
  const presence = new MemoryPresence({ clock });
  // Limits kept in this process (no Redis in embedded mode).
  const throttles = new MemoryThrottleFactory();
  const registry = new MemoryNodeRegistry();
  // The relay never leaves loopback here, but is authenticated all the same: a secret made per run.
  const relayAuth = new RelayAuth({ secret: crypto.randomBytes(32).toString('base64url') });
  const relayHost = '127.0.0.1';
  // One registry for the process: the gateway's and both nodes' series (by their labels), served at the gateway's /metrics.
  const metrics = new ParleyMetrics();
  const gatewayId = 'gw-embedded';
  const hasher = new Argon2PasswordHasher();
  // One blob store for the gateway (tickets, transfers, links, sweep) and both nodes (claims at send).
  const attachments = createAttachments({ env: config, store, jwtSecret, ids, clock, logger: logger.child({ component: 'uploads' }), relativeTo: dataDir });
  // One policy for the gateway (display names) and both nodes (messages, group names).
  const content = contentPolicyOf(config, logger.child({ component: 'moderation' }));
  // Push: the VAPID keys from the environment, else made once into data/vapid.json (0600); the gateway
  // hands out the public key, both nodes send through one dispatcher.
  const pushConfig = pushConfigFromEnv(process.env, { dataDir });
  const pusher =
    pushConfig &&
    new PushDispatcher({
      engine: new WebPushEngine({
        vapid: { publicKey: pushConfig.publicKey, privateKey: pushConfig.privateKey, subject: pushConfig.subject },
        allowPrivate: pushConfig.allowPrivate,
      }),
      onGone: (endpoint) => store.deletePushSubscriptionByEndpoint(endpoint),
      onOutcome: (outcome) => metrics.pushes.inc({ outcome }),
      logger: logger.child({ component: 'push' }),
    });

  // Each role its own tracer (and span exporter): one process, three services in a trace.
  const gatewayTracing = routeTracerOf(config, 'gw-embedded', logger.child({ component: 'gateway' }));
  const closeTracing = [gatewayTracing.close];
  const gateway = createGateway({
    gatewayId,
    metrics,
    relayHost,
    relayPort: 0,
    relayAuth,
    router: config.PARLEY_ROUTER,
    staticDir: path.resolve(config.PARLEY_STATIC_DIR),
    store: timedPort(store, metrics.storeDuration, metrics.forGateway(gatewayId)),
    directory: registry,
    hasher,
    throttles,
    passwordPolicy: new ZxcvbnPasswordPolicy(),
    tokens,
    refreshTtlSeconds: config.PARLEY_REFRESH_TTL_SECONDS,
    limits: { registration: { perIp: config.PARLEY_REGISTER_PER_IP } },
    adminUsernames: config.PARLEY_ADMIN_USERS,
    ids,
    clock,
    logger: logger.child({ component: 'gateway' }),
    routeTracer: gatewayTracing.tracer,
    content,
    attachments,
    push: gatewayPushOf(pushConfig),
  });
  const { httpUrl, relayPort } = await gateway.start({ host: config.PARLEY_HOST, port: config.PARLEY_PORT });

  const nodes: ImNode[] = [];
  for (let i = 1; i <= NODE_COUNT; i++) {
    const nodeId = `im-${i}`;
    const nodeLogger = logger.child({ nodeId });
    const tracing = messageTracerOf(config, nodeId, nodeLogger);
    closeTracing.push(tracing.close);
    const node = new ImNode(
      {
        nodeId,
        host: config.PARLEY_HOST,
        port: config.PARLEY_PORT + i,
        drainSpreadMs: 2_000,
        drainTimeoutMs: 5_000,
        presence: DEFAULT_PRESENCE_KEEPER,
        recallWindowMs: config.PARLEY_RECALL_WINDOW_MS,
        // Only the pages this process serves may open sessions.
        allowedOrigins: servedWebOrigins(config.PARLEY_HOST, config.PARLEY_PORT),
        // The gateway's /metrics serves the process's one registry, these nodes' series included.
        serveMetrics: false,
        push: pusher && pushConfig ? { pusher, awayAfterMs: pushConfig.awayAfterMs } : undefined,
      },
      {
        store: timedPort(store, metrics.storeDuration, metrics.forNode(nodeId)),
        presence,
        metrics,
        registrar: registry,
        tokens,
        clock,
        ids,
        logger: nodeLogger,
        throttles,
        tracer: tracing.tracer,
        attachments: attachments.service,
        content,
        relay:
          new RelayClient({
            nodeId,
            auth: relayAuth,
            gateways: [`${relayHost}:${relayPort}`],
            logger: nodeLogger.child({ component: 'relay' }),
          }),
      },
    );
    await node.start();
    nodes.push(node);
  }

  // The ops console's operator, made on first start; its password goes to stdout below, never to the logger.
  const adminLogin = await ensureAdminLogin({ dataDir, users: store, hasher, ids, clock });

  const lines = [
    'Parley is running (embedded mode: SQLite, in-process presence, 2 IM nodes).',
    `  web client   ${httpUrl}/`,
    `  ops console  ${httpUrl}/admin`,
    `  REST API     ${httpUrl}/api (docs at ${httpUrl}/api/docs)`,
    `  health       ${httpUrl}/livez, ${httpUrl}/readyz`,
    `  metrics      ${httpUrl}/metrics`,
    ...nodes.map((n, i) => `  IM node ${n.nodeId}  http://${config.PARLEY_HOST}:${config.PARLEY_PORT + i + 1}`),
    `  relay (gRPC) ${relayHost}:${relayPort} (cluster secret generated for this run)`,
    `  data         ${dataDir}`,
    adminLoginLine(adminLogin, path.join(config.PARLEY_DATA_DIR, ADMIN_PASSWORD_FILE)),
    'Press Ctrl-C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  onShutdownSignal(
    async () => {
      await Promise.all(nodes.map((n) => n.close()));
      await pusher?.close();
      await gateway.stop();
      attachments.close();
      await presence.close();
      await store.close();
      await Promise.all(closeTracing.map((close) => close()));
      process.stdout.write('Parley stopped.\n');
    },
    (msg) => process.stdout.write(`${msg}\n`),
  );
}

/** Keeps sign-ins valid across restarts without asking the user for a secret. */
function loadOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, 'jwt-secret');
  if (fs.existsSync(file)) {
    narrowToOwner(file);
    return fs.readFileSync(file, 'utf8').trim();
  }
  const secret = crypto.randomBytes(48).toString('base64url');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

main().catch((err: unknown) => {
  process.stderr.write(`Parley failed to start: ${describeStartupError(err)}\n`);
  process.exit(1);
});
