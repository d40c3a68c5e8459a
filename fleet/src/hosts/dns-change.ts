import { isIPv4 } from 'node:net';

/** One change to the fleet's DNS, as the driver asks the DNS host for it. */
export type DnsChange = { kind: 'set'; name: string; addresses: string[] } | { kind: 'delete'; name: string };

/** Reads a control request (`PUT /names/<name>` with {"addresses": […]}, or `DELETE /names/<name>`); throws on anything else. */
export function parseDnsChange(method: string, url: string, body: string): DnsChange {
  const name = /^\/names\/([A-Za-z0-9_.-]+)$/.exec(url)?.[1];
  if (name === undefined) throw new Error(`not a name path: ${url}`);
  if (method === 'DELETE') return { kind: 'delete', name };
  if (method !== 'PUT') throw new Error(`method ${method} not allowed`);
  const addresses = (JSON.parse(body) as { addresses?: unknown }).addresses;
  if (!Array.isArray(addresses) || addresses.length === 0 || !addresses.every((a) => typeof a === 'string' && isIPv4(a))) {
    throw new Error('want {"addresses": [IPv4, …]} with at least one address');
  }
  return { kind: 'set', name, addresses: addresses as string[] };
}
