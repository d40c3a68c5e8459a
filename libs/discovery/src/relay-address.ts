/**
 * A relay address is `host:port` (a bracketed IPv6 literal, an IPv4 address or
 * a DNS name). Anything else, as from a foreign or broken registration, is refused.
 */
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;

export function isRelayAddress(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = HOST_PORT.exec(value);
  if (!match) return false;
  const port = Number(match[2]);
  return port >= 1 && port <= 65_535;
}
