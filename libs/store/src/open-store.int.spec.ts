import { createServer, connect, type Server } from 'node:net';
import { at, createTestDatabase, findFreePort } from '@parley/testing';
import type { Logger } from '@parley/util';
import { openStore } from './open-store';

const serverUrl = (): URL => {
  const url = process.env.PARLEY_TEST_MYSQL_URL;
  if (!url) throw new Error('PARLEY_TEST_MYSQL_URL is not set (the jest global setup starts MariaDB)');
  return new URL(url);
};

interface RecordingLogger extends Logger {
  warns: string[];
  /** Resolves at the next warn line. */
  nextWarn(): Promise<void>;
}

/** A logger that keeps its warn lines (context and message) and lets a test wait for the next one. */
function recordingLogger(): RecordingLogger {
  const warns: string[] = [];
  let waiters: (() => void)[] = [];
  const logger: RecordingLogger = {
    warns,
    nextWarn: () => new Promise<void>((resolve) => waiters.push(resolve)),
    warn: (obj, msg) => {
      warns.push(`${JSON.stringify(obj)} ${msg ?? ''}`);
      const ready = waiters;
      waiters = [];
      ready.forEach((resolve) => resolve());
    },
    info: () => undefined,
    error: () => undefined,
    debug: () => undefined,
    child: () => logger,
  };
  return logger;
}

/** A TCP forwarder to the test MariaDB, started on demand: the database "comes up" when it listens. */
function forwarderTo(target: URL): Server {
  return createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
}

describe('openStore waits for a database that is still coming up', () => {
  it('retries a refused connection with a warning naming the cause, and opens (migrated) once the server listens', async () => {
    const database = await createTestDatabase(serverUrl().toString());
    const port = await findFreePort();
    const url = new URL(database.url);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    const logger = recordingLogger();
    const firstRetry = logger.nextWarn();
    const opening = openStore({ kind: 'mysql', url: url.toString(), connectTimeoutMs: 1_000 }, { waitMs: 30_000, logger, backoff: { initialMs: 50, maxMs: 200 } });
    await firstRetry;
    const forwarder = forwarderTo(serverUrl());
    await new Promise<void>((resolve) => forwarder.listen(port, '127.0.0.1', resolve));
    try {
      const store = await opening;
      try {
        await store.createUser({ id: 'U1', username: 'ann', displayName: 'Ann', passwordHash: 'h', createdAt: 1 });
        expect(await store.findUserByUsername('ann')).toMatchObject({ id: 'U1' });
      } finally {
        await store.close();
      }
      expect(logger.warns[0]).toMatch(/ECONNREFUSED.*database not reachable yet/);
    } finally {
      forwarder.close();
      await database.drop();
    }
  });

  it('gives up after the wait with the cause, and never logs the password', async () => {
    const port = await findFreePort();
    const logger = recordingLogger();
    const startedAt = Date.now();
    const error: unknown = await openStore(
      { kind: 'mysql', url: `mysql://parley:Very-Secret-pw-42@127.0.0.1:${port}/parley`, connectTimeoutMs: 500 },
      { waitMs: 1_000, logger, backoff: { initialMs: 50, maxMs: 200 } },
    ).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(700);
    expect(logger.warns.length).toBeGreaterThanOrEqual(2);
    expect(logger.warns.join('\n')).not.toContain('Very-Secret-pw-42');
  });

  it('fails at once on a cause waiting cannot cure (access denied, missing database), without a retry', async () => {
    const denied = serverUrl();
    denied.username = 'nobody_here';
    denied.password = 'wrong';
    denied.pathname = '/parley';
    const missing = serverUrl();
    missing.pathname = `/parley_missing_${Date.now()}`;
    for (const url of [denied, missing]) {
      const logger = recordingLogger();
      const startedAt = Date.now();
      await expect(openStore({ kind: 'mysql', url: url.toString() }, { waitMs: 30_000, logger })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(logger.warns).toEqual([]);
      expect(Date.now() - startedAt).toBeLessThan(10_000);
    }
  });

  it('waits at all only when asked: without waitMs a refused connection fails on the first attempt', async () => {
    const port = await findFreePort();
    const logger = recordingLogger();
    await expect(openStore({ kind: 'mysql', url: `mysql://root@127.0.0.1:${port}/parley` }, { logger })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(logger.warns).toEqual([]);
  });

  it('lets several processes start on one new database at once: the migrations run once, under the lock', async () => {
    const database = await createTestDatabase(serverUrl().toString());
    try {
      const stores = await Promise.all([1, 2, 3].map(() => openStore({ kind: 'mysql', url: database.url }, { waitMs: 10_000 })));
      try {
        await at(stores, 0, 'first store').createUser({ id: 'U1', username: 'bob', displayName: 'Bob', passwordHash: 'h', createdAt: 1 });
        for (const store of stores) expect(await store.findUserByUsername('bob')).toMatchObject({ id: 'U1' });
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
    } finally {
      await database.drop();
    }
  });
});
