import type { IncomingMessage } from 'node:http';
import type { Logger } from '@parley/util';

/** engine.io's `allowRequest`: called for every new connection (polling handshake or direct WebSocket), never for later requests of one. */
export type AllowRequest = (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => void;

/**
 * Checks configured web origins and writes them as browsers send them
 * (`scheme://host[:port]`, lower case, default port dropped). A value with a
 * path, query, credentials or a scheme other than http(s) is a mistake:
 * thrown, so a node never starts with an allow-list it does not apply.
 */
export function parseWebOrigins(values: readonly string[]): string[] {
  return values.map((value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new Error(`allowed origin "${value}" is not a URL (expected e.g. https://chat.example.com)`);
    }
    const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) {
      throw new Error(`allowed origin "${value}" must be scheme://host[:port] with http or https and nothing after`);
    }
    return url.origin;
  });
}

/** Refused origins named in the log at most this many times per process (one line each), so a flood cannot fill it. */
const LOGGED_REFUSALS_MAX = 100;

/**
 * Admits a handshake from one of `origins`, or without an Origin header
 * (not a browser: the SDK in Node, bots, the CLI; a browser always sends
 * one on WebSocket and cross-origin requests). Any other Origin, including
 * `null` (sandboxed frames, file: pages), is refused with 403 before a
 * session exists, so a page on a foreign site cannot drive a visitor's
 * browser into a session. `onRefused` counts each refusal.
 */
export function originGate(origins: readonly string[], logger: Logger, onRefused: () => void = () => {}): AllowRequest {
  const allowed: ReadonlySet<string> = new Set(origins);
  const logged = new Set<string>();
  return (req, callback) => {
    const origin = req.headers.origin;
    if (origin === undefined || allowed.has(origin.toLowerCase())) {
      callback(null, true);
      return;
    }
    onRefused();
    if (logged.size < LOGGED_REFUSALS_MAX && !logged.has(origin)) {
      logged.add(origin);
      // warn: a web client on an origin missing from PARLEY_ALLOWED_ORIGINS shows up here first.
      logger.warn({ origin: origin.slice(0, 200) }, 'handshake refused: origin not in the allowed web origins');
    }
    callback('origin not allowed', false);
  };
}

/** Hosts that name this machine; a browser may reach a server bound to one by either name. */
const LOOPBACK_OR_ANY: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '0.0.0.0']);

/**
 * The origins of a web client served at http://host:port, as a browser may
 * write them: a loopback or wildcard host is reached as localhost or
 * 127.0.0.1 (other names, e.g. a LAN address, must be configured).
 */
export function servedWebOrigins(host: string, port: number): string[] {
  if (!LOOPBACK_OR_ANY.has(host)) return [`http://${host}:${port}`];
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
}
