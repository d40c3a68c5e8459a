import { isIPv4, isIPv6 } from 'node:net';
import type { Request } from 'express';
import type { ClientInfo } from '@parley/domain';

/** The app setting (`app.set`) holding how many leading bits of an IPv6 address name one client (PARLEY_IPV6_PREFIX). */
export const IPV6_PREFIX_SETTING = 'parley ipv6 prefix';
/** One /64 is what a home or a cloud VM is usually given: all of it is one client. */
export const DEFAULT_IPV6_PREFIX_BITS = 64;

/**
 * The client as the throttles see it. `req.ip` is the socket's peer unless
 * Express's `trust proxy` (PARLEY_TRUST_PROXY) says which proxies'
 * X-Forwarded-For to believe; without it every client behind nginx would
 * share nginx's address. Every per-address limit keys on `clientKey` of it.
 */
export function clientInfo(req: Request): ClientInfo {
  const userAgent = req.headers['user-agent'];
  const prefixBits = (req.app.get(IPV6_PREFIX_SETTING) as number | undefined) ?? DEFAULT_IPV6_PREFIX_BITS;
  return { ip: clientKey(req.ip ?? req.socket.remoteAddress ?? 'unknown', prefixBits), ...(userAgent ? { userAgent } : {}) };
}

/**
 * The key per-address limits count under: an IPv4 address as it is (also
 * when it arrives IPv4-mapped, `::ffff:192.0.2.1`, as on a dual-stack
 * socket), an IPv6 address as its first `ipv6PrefixBits` bits (`2001:db8:0:1::/64`):
 * one subscriber holds a whole /64, and keying on full addresses would give
 * them 2^64 fresh allowances. Anything else is kept as it is.
 */
export function clientKey(address: string, ipv6PrefixBits = DEFAULT_IPV6_PREFIX_BITS): string {
  if (isIPv4(address)) return address;
  const withoutZone = address.split('%')[0] ?? address;
  if (!isIPv6(withoutZone)) return address;
  const groups = ipv6Groups(withoutZone);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  const bits = Math.min(128, Math.max(0, Math.trunc(ipv6PrefixBits)));
  const masked = groups.map((group, i) => {
    const kept = Math.min(16, Math.max(0, bits - i * 16));
    return kept === 0 ? 0 : group & ((0xffff << (16 - kept)) & 0xffff);
  });
  return `${masked.map((g) => g.toString(16)).join(':')}/${bits}`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail as two groups). */
function ipv6Groups(address: string): number[] {
  const toGroups = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((field) => {
          if (!field.includes('.')) return [Number.parseInt(field, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = field.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = '', tail] = address.split('::');
  const front = toGroups(head);
  if (tail === undefined) return front;
  const back = toGroups(tail);
  return [...front, ...Array.from({ length: 8 - front.length - back.length }, () => 0), ...back];
}
