import { isIP } from 'node:net';
import { hostPort, isWildcardHost } from '@parley/util-node';

/** `host:port` as discovery hands it out: a bracketed IPv6 literal, an IPv4 address or a DNS name. */
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;
const MAX_AUDIENCE_LENGTH = 261; // a 253-character DNS name, ':' and a port, with room for brackets

/** The loopback names a node on the gateway's own host may dial. */
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'] as const;

/**
 * One spelling of a relay address, so that what a node dialed and what a
 * gateway calls itself compare as strings: lower-case DNS names, IPv6 in
 * brackets and compressed, IPv4 in dotted quads, the port in plain decimal.
 * Undefined when `value` is not `host:port`.
 */
export function normalizeAudience(value: string): string | undefined {
  if (value.length > MAX_AUDIENCE_LENGTH) return undefined;
  const match = HOST_PORT.exec(value.trim());
  const [, host, portText] = match ?? [];
  if (host === undefined || portText === undefined) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65_535) return undefined;
  let hostname: string;
  try {
    // WHATWG URL spells hosts one way (case, IPv6 compression, 127.1 → 127.0.0.1);
    // the port is kept apart, since URL would drop a scheme's default port.
    hostname = new URL(`http://${host}/`).hostname;
  } catch {
    return undefined;
  }
  return hostname === '' ? undefined : `${hostname}:${port}`;
}

/** Where a gateway's relay listens and is advertised; see ownRelayAudiences. */
export interface RelayListenAddress {
  /** The bound relay port. */
  port: number;
  /** The relay's bind host (PARLEY_RELAY_HOST): an audience unless it is a wildcard. */
  bindHost: string;
  /** The host nodes are told to dial (PARLEY_ADVERTISE_HOST, registered in Consul). */
  advertiseHost?: string;
  /** More names nodes dial this relay by (PARLEY_RELAY_AUDIENCES): DNS aliases, a load balancer. */
  extra?: readonly string[];
}

/**
 * The relay addresses a gateway answers to: a node's proof is accepted only
 * when the address the node dialed (its audience) is one of them, so a proof
 * made for another listener, a fake gateway registered in Consul among them,
 * cannot be replayed or passed through to this one.
 *
 * Loopback forms (127.0.0.1, localhost, [::1] on the relay port) are taken
 * only from loopback peers: a node that dialed loopback connects from
 * loopback, so a loopback proof arriving from elsewhere was carried here by
 * someone else (say, a local user on the node's host who took a free
 * loopback port and registered it). Explicit `extra` names are taken from any
 * peer: a published container port or a tunnel is named there on purpose.
 */
export class RelayAudiences {
  private readonly named = new Set<string>();
  private readonly loopback = new Set<string>();

  constructor(address: RelayListenAddress) {
    for (const host of LOOPBACK_HOSTS) this.loopback.add(`${host}:${address.port}`);
    const own = [address.advertiseHost, isWildcardHost(address.bindHost) ? undefined : address.bindHost];
    for (const host of own) {
      if (host === undefined) continue;
      const audience = parseAudience(hostPort(host, address.port), 'its own address');
      (isLoopbackAudience(audience) ? this.loopback : this.named).add(audience);
    }
    for (const extra of address.extra ?? []) this.named.add(parseAudience(extra, 'the explicit list'));
  }

  /** True when a proof made for `audience` may open a stream from `peer` (grpc's `host:port` of the caller). */
  accepts(audience: string, peer: string): boolean {
    if (this.named.has(audience)) return true;
    return this.loopback.has(audience) && isLoopbackPeer(peer);
  }

  /** Every accepted audience, for the listening log line. */
  list(): string[] {
    return [...new Set([...this.named, ...this.loopback])];
  }
}

function parseAudience(value: string, source: string): string {
  const audience = normalizeAudience(value);
  if (audience === undefined) throw new Error(`relay audience ${JSON.stringify(value)} from ${source} is not host:port`);
  return audience;
}

/** A normalized audience naming this host's loopback (localhost, 127.0.0.0/8, [::1]). */
function isLoopbackAudience(audience: string): boolean {
  const host = audience.slice(0, audience.lastIndexOf(':'));
  return host === 'localhost' || host === '[::1]' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** grpc-js peers read `127.0.0.1:51234`, `::1:51234` or `::ffff:127.0.0.1:51234`. */
export function isLoopbackPeer(peer: string): boolean {
  const colon = peer.lastIndexOf(':');
  const host = (colon > 0 ? peer.slice(0, colon) : peer).replace(/^\[|\]$/g, '').toLowerCase();
  const v4 = host.startsWith('::ffff:') ? host.slice('::ffff:'.length) : host;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return host === '::1';
}
