import fs from 'node:fs';
import { z } from 'zod';
import { csv } from './env-config';
import { strongSecret } from './secret-strength';

const flag = z.enum(['true', 'false']).default('false').transform((v) => v === 'true');

/**
 * How relay streams are authenticated, shared by gateways and IM nodes:
 * mutual TLS (all three files), a shared cluster secret, or both; a plain
 * relay only when PARLEY_RELAY_INSECURE=true is said out loud.
 */
export const relayAuthEnv = z.object({
  /** Shared by every gateway and node: ≥ 32 random bytes (`openssl rand -base64 48`). */
  PARLEY_CLUSTER_SECRET: strongSecret().optional(),
  /** PEM file paths: the cluster CA, this process's certificate (a node's CN is its node id) and key. */
  PARLEY_RELAY_TLS_CA: z.string().optional(),
  PARLEY_RELAY_TLS_CERT: z.string().optional(),
  PARLEY_RELAY_TLS_KEY: z.string().optional(),
  /** Development only: anyone who reaches the relay port is believed. */
  PARLEY_RELAY_INSECURE: flag,
});

export type RelayAuthEnv = z.output<typeof relayAuthEnv>;

/** `host:port`: a bracketed IPv6 literal, an IPv4 address or a DNS name (the relay normalizes case and spelling). */
const RELAY_ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;

/**
 * A gateway's relay names beyond its own: with a cluster secret a node's proof
 * names the relay address it dialed, and a gateway accepts only
 * `<PARLEY_ADVERTISE_HOST>:<relay port>`, `<PARLEY_RELAY_HOST>:<relay port>`
 * (not a wildcard), loopback from its own host, and these.
 */
export const relayAudiencesEnv = z.object({
  /** Comma list of `host:port` nodes may dial this gateway's relay by: DNS aliases, a load balancer, a published port. */
  PARLEY_RELAY_AUDIENCES: z
    .string()
    .default('')
    .transform((spec, ctx) => {
      const names = csv(spec);
      const bad = names.filter((name) => {
        const port = Number(RELAY_ADDRESS.exec(name)?.[2] ?? 0);
        return port < 1 || port > 65_535;
      });
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `not host:port: ${bad.join(', ')}` });
        return z.NEVER;
      }
      return names;
    }),
});

/** The relay credentials an app's parsed env asks for (the shape RelayAuth takes). */
export interface RelayAuthConfig {
  tls?: { ca: Buffer; cert: Buffer; key: Buffer };
  secret?: string;
  insecure?: boolean;
}

const TLS_KEYS = ['PARLEY_RELAY_TLS_CA', 'PARLEY_RELAY_TLS_CERT', 'PARLEY_RELAY_TLS_KEY'] as const;

/** Reads the TLS files and checks that one way to authenticate was chosen; throws naming the variables. */
export function relayAuthOf(env: RelayAuthEnv): RelayAuthConfig {
  const given = TLS_KEYS.filter((key) => env[key]);
  if (given.length > 0 && given.length < TLS_KEYS.length) {
    const missing = TLS_KEYS.filter((key) => !env[key]);
    throw new Error(`invalid configuration: ${missing.join(', ')}: required with ${given.join(', ')} (mutual TLS needs all three)`);
  }
  const tls =
    given.length === TLS_KEYS.length
      ? { ca: readPem(env, 'PARLEY_RELAY_TLS_CA'), cert: readPem(env, 'PARLEY_RELAY_TLS_CERT'), key: readPem(env, 'PARLEY_RELAY_TLS_KEY') }
      : undefined;
  if (!tls && !env.PARLEY_CLUSTER_SECRET && !env.PARLEY_RELAY_INSECURE) {
    throw new Error(
      'invalid configuration: PARLEY_CLUSTER_SECRET: required to authenticate the relay (or PARLEY_RELAY_TLS_CA, ' +
        'PARLEY_RELAY_TLS_CERT and PARLEY_RELAY_TLS_KEY for mutual TLS; PARLEY_RELAY_INSECURE=true only for development)',
    );
  }
  return { tls, secret: env.PARLEY_CLUSTER_SECRET, insecure: env.PARLEY_RELAY_INSECURE };
}

function readPem(env: RelayAuthEnv, key: (typeof TLS_KEYS)[number]): Buffer {
  const file = env[key] as string;
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`invalid configuration: ${key}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
