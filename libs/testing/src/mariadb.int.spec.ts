import { createConnection } from 'mysql2/promise';
import { createTestDatabase, startMariadb } from './mariadb';

const query = async (url: string, sql: string): Promise<unknown[]> => {
  const conn = await createConnection({ uri: url, connectTimeout: 2_000 });
  try {
    const [rows] = await conn.query(sql);
    return rows as unknown[];
  } finally {
    await conn.end();
  }
};

describe('startMariadb', () => {
  it('starts a utf8mb4 MariaDB on loopback and stops it', async () => {
    const server = await startMariadb();
    try {
      expect(server.url).toMatch(/^mysql:\/\/root@127\.0\.0\.1:\d+\/$/);
      expect(await query(server.url, "SELECT @@character_set_server AS cs, @@log_bin AS binlog")).toEqual([
        { cs: 'utf8mb4', binlog: 0 },
      ]);
    } finally {
      await server.stop();
    }
    await expect(query(server.url, 'SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await server.stop(); // idempotent
  });
});

describe('startMariadb halt/start', () => {
  it('brings the server back on the same port with its data, after a clean stop and after a crash', async () => {
    const server = await startMariadb();
    try {
      await query(server.url, 'CREATE DATABASE keep');
      await query(server.url, 'CREATE TABLE keep.t (v INT PRIMARY KEY) ENGINE=InnoDB');
      await query(server.url, 'INSERT INTO keep.t VALUES (1)');

      await server.halt();
      expect(server.running).toBe(false);
      await expect(query(server.url, 'SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await server.start();
      expect(server.running).toBe(true);
      await query(server.url, 'INSERT INTO keep.t VALUES (2)');

      await server.halt('SIGKILL');
      await server.start();
      expect(await query(server.url, 'SELECT v FROM keep.t ORDER BY v')).toEqual([{ v: 1 }, { v: 2 }]);
    } finally {
      await server.stop();
    }
    expect(server.running).toBe(false);
  });
});

describe('createTestDatabase', () => {
  it('creates a uniquely named database and drops it', async () => {
    const serverUrl = process.env.PARLEY_TEST_MYSQL_URL;
    if (!serverUrl) throw new Error('PARLEY_TEST_MYSQL_URL is not set');
    const [a, b] = await Promise.all([createTestDatabase(serverUrl), createTestDatabase(serverUrl)]);
    expect(a.url).not.toBe(b.url);
    const name = new URL(a.url).pathname.slice(1);
    expect(await query(a.url, 'SELECT DATABASE() AS db')).toEqual([{ db: name }]);
    await Promise.all([a.drop(), b.drop()]);
    expect(await query(serverUrl, `SHOW DATABASES LIKE '${name}'`)).toEqual([]);
  });
});
