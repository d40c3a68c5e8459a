/**
 * The `index`th loopback source address a load worker binds: 127.0.0.2,
 * 127.0.0.3, … 127.0.0.254, then 127.0.1.1 … (the .0 and .255 of each /24 are
 * skipped). Each source address has its own ephemeral ports, so K addresses
 * allow about K x ip_local_port_range connections to one node.
 */
export function sourceAddress(index: number): string {
  const k = index + 1;
  const y = Math.floor(k / 254);
  const z = 1 + (k % 254);
  if (y > 255) throw new Error(`source address ${index} is past 127.0.255.254`);
  return `127.0.${y}.${z}`;
}

/** How many source addresses the bench can hand out. */
export const MAX_SOURCE_ADDRESSES = 256 * 254 - 1;
