import os from 'node:os';
import { z } from 'zod';

/** Bind addresses that mean "every interface": nobody else can reach a process at them. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '::0', '0:0:0:0:0:0:0:0', '']);

export function isWildcardHost(host: string): boolean {
  return WILDCARD_HOSTS.has(host.trim());
}

/**
 * PARLEY_ADVERTISE_HOST: the host other processes (Consul's checks, gateways,
 * IM nodes) reach this one at, as opposed to PARLEY_HOST, where it binds.
 */
export const advertiseEnv = z.object({
  /** Unset: PARLEY_HOST, or this machine's hostname when PARLEY_HOST is a wildcard (0.0.0.0, ::). */
  PARLEY_ADVERTISE_HOST: z
    .string()
    .trim()
    .min(1)
    .refine((host) => !isWildcardHost(host), {
      message: 'a wildcard (0.0.0.0, ::) is where a process binds, not an address others can reach; name this host (its DNS name or IP)',
    })
    .optional(),
});

/**
 * The host to advertise: the configured one, else the bind host, else (when
 * the bind host is a wildcard) the machine's hostname. Throws rather than
 * ever answering a wildcard: a registration at 0.0.0.0 sends every health
 * check and relay stream to the checker's own machine.
 */
export function advertiseHostOf(bindHost: string, advertised: string | undefined, hostname: () => string = os.hostname): string {
  const host = advertised ?? (isWildcardHost(bindHost) ? hostname() : bindHost);
  if (isWildcardHost(host)) {
    throw new Error(`PARLEY_ADVERTISE_HOST: the advertised host would be "${host}", a wildcard nobody can reach; set PARLEY_ADVERTISE_HOST`);
  }
  return host;
}

/** `host:port`, with an IPv6 literal in brackets. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
