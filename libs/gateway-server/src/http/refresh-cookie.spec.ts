import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { COOKIE_LOGGER_SETTING, clearRefreshCookie, sendAuthResult } from './refresh-cookie';

const result = {
  token: 'access',
  expiresAt: 0,
  refreshToken: 'refresh-secret',
  sessionId: 's1',
  user: { id: 'u1', username: 'ann', displayName: 'Ann' },
} as unknown as Parameters<typeof sendAuthResult>[3];

describe('the refresh cookie', () => {
  const warnings: { fields: unknown; msg: string }[] = [];
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    const app = express();
    // The test's requests come from loopback: it plays the TLS-ending proxy too.
    app.set('trust proxy', 'loopback');
    app.set(COOKIE_LOGGER_SETTING, { warn: (fields: unknown, msg: string) => warnings.push({ fields, msg }) });
    app.post('/api/auth/login', (req, res) => sendAuthResult(req, res, 200, result, 3600));
    app.post('/api/auth/logout', (_req, res) => {
      clearRefreshCookie(res);
      res.status(204).end();
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** The Set-Cookie a request to `path` gets, sent with these headers (Host among them). */
  function setCookieOf(path: string, headers: Record<string, string>): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
        res.resume();
        resolve(String(res.headers['set-cookie'] ?? ''));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('says Secure over https (behind a trusted proxy) and on loopback hosts', async () => {
    expect(await setCookieOf('/api/auth/login', { host: 'chat.example.com', 'x-forwarded-proto': 'https' })).toMatch(/; Secure/);
    for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080', 'app.localhost']) {
      expect(await setCookieOf('/api/auth/login', { host })).toMatch(/; Secure/);
      expect(await setCookieOf('/api/auth/logout', { host })).toMatch(/; Secure/);
    }
    expect(warnings).toEqual([]);
  });

  it('goes without Secure over plain http from another host (a browser would drop it), warning once per process', async () => {
    for (const host of ['192.168.1.20:8080', 'parley.lan']) {
      const cookie = await setCookieOf('/api/auth/login', { host });
      expect(cookie).toMatch(/^parley_refresh=refresh-secret;/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).not.toMatch(/Secure/);
      expect(await setCookieOf('/api/auth/logout', { host })).not.toMatch(/Secure/);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toMatch(/plain http.*https/);
    expect(JSON.stringify(warnings)).not.toContain('refresh-secret');
  });

  it('does not take a forged X-Forwarded-Proto from an untrusted peer as https', async () => {
    const app = express();
    app.set('trust proxy', false);
    app.post('/login', (req, res) => sendAuthResult(req, res, 200, result, 3600));
    const other = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => other.once('listening', resolve));
    try {
      const cookie = await new Promise<string>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: (other.address() as AddressInfo).port, path: '/login', method: 'POST', headers: { host: 'parley.lan', 'x-forwarded-proto': 'https' } },
          (res) => {
            res.resume();
            resolve(String(res.headers['set-cookie'] ?? ''));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(cookie).not.toMatch(/Secure/);
    } finally {
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    }
  });
});
