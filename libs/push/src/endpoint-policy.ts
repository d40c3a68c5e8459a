import dns from 'node:dns';
import net from 'node:net';

/** The longest endpoint accepted (the protocol's limit on a subscription's endpoint). */
export const MAX_ENDPOINT_LENGTH = 2048;

/** What the endpoint policy allows. */
export interface EndpointPolicyOptions {
  /** Allow http: and private, loopback, link-local ... addresses (tests, a push service on the LAN). @default false */
  allowPrivate: boolean;
}

/**
 * Addresses a push must never reach unless private ones are allowed: a push
 * endpoint is a URL a client chose, so without this a subscription would make
 * the server POST to its own network (SSRF). IPv4-mapped IPv6 forms
 * (::ffff:127.0.0.1) match the IPv4 rules: BlockList checks them as such.
 */
const NON_PUBLIC = buildNonPublic();

function buildNonPublic(): net.BlockList {
  const list = new net.BlockList();
  const v4: Array<[string, number]> = [
    ['0.0.0.0', 8], // "this network", unspecified
    ['10.0.0.0', 8], // RFC 1918
    ['100.64.0.0', 10], // CGNAT (RFC 6598)
    ['127.0.0.0', 8], // loopback
    ['169.254.0.0', 16], // link-local (cloud metadata services live here)
    ['172.16.0.0', 12], // RFC 1918
    ['192.0.0.0', 24], // IETF protocol assignments
    ['192.168.0.0', 16], // RFC 1918
    ['198.18.0.0', 15], // benchmarking
    ['224.0.0.0', 4], // multicast
    ['240.0.0.0', 4], // reserved, broadcast
  ];
  for (const [prefix, bits] of v4) list.addSubnet(prefix, bits, 'ipv4');
  const v6: Array<[string, number]> = [
    ['::', 128], // unspecified
    ['::1', 128], // loopback
    ['64:ff9b::', 96], // NAT64: embeds an IPv4 address the gateway reaches for us
    ['fc00::', 7], // unique-local
    ['fe80::', 10], // link-local
    ['ff00::', 8], // multicast
  ];
  for (const [prefix, bits] of v6) list.addSubnet(prefix, bits, 'ipv6');
  return list;
}

/** Whether an IP address (v4 or v6 text) is one a push must not reach by default; a non-address counts as not public. */
export function isNonPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return true;
  return NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Checks a push endpoint before it is stored (subscribe time) and before it is
 * sent to: https only and no IP literal that is not public, unless private is
 * allowed. A host name is resolved only at send time, where the engine's
 * lookup ({@link guardedLookup}) refuses non-public addresses. Returns what is
 * wrong, or null when the endpoint is acceptable.
 */
export function checkPushEndpoint(endpoint: string, options: EndpointPolicyOptions): string | null {
  if (endpoint.length > MAX_ENDPOINT_LENGTH) return `endpoint is longer than ${MAX_ENDPOINT_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'endpoint is not a URL';
  }
  const allowedSchemes = options.allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!allowedSchemes.includes(url.protocol)) return options.allowPrivate ? 'endpoint must be an http(s) URL' : 'endpoint must be an https URL';
  if (url.username !== '' || url.password !== '') return 'endpoint must not carry credentials';
  if (url.hostname === '') return 'endpoint has no host';
  if (options.allowPrivate) return null;
  const host = hostOf(url);
  if (net.isIP(host) !== 0) return isNonPublicAddress(host) ? 'endpoint must be on a public address' : null;
  // Names that resolve to loopback by definition (RFC 6761); other names are checked when resolved.
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return 'endpoint must be on a public address';
  return null;
}

/** The URL's host without IPv6 brackets. */
function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** The error a refused address fails the connection with; the engine maps it to `failed`. */
export class NonPublicAddressError extends Error {
  readonly code = 'ERR_PUSH_NON_PUBLIC_ADDRESS';
  constructor(hostname: string) {
    super(`${hostname} resolves to a non-public address`);
    this.name = 'NonPublicAddressError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** Resolves a host name to all its addresses (dns.lookup by default; tests inject their own answers). */
export type ResolveHost = (hostname: string, family: number | undefined) => Promise<dns.LookupAddress[]>;

const systemResolve: ResolveHost = (hostname, family) => dns.promises.lookup(hostname, { all: true, ...(family ? { family } : {}) });

/**
 * A `lookup` for the connections the engine opens: resolves like
 * dns.lookup and refuses a host with any non-public address, so what is
 * checked is what is connected to (a name that resolved to a public address
 * at subscribe time and to 127.0.0.1 now — DNS rebinding — is refused).
 */
export function guardedLookup(resolve: ResolveHost = systemResolve): net.LookupFunction {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    const family = typeof options.family === 'number' && options.family !== 0 ? options.family : undefined;
    resolve(hostname, family).then(
      (addresses) => {
        const first = addresses[0];
        if (first === undefined) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
        if (addresses.some((a) => isNonPublicAddress(a.address))) return callback(new NonPublicAddressError(hostname), []);
        if (options.all === true) return callback(null, addresses);
        return callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, []),
    );
  };
}
