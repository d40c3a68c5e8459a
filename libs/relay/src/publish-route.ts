import { hash32 } from '@parley/util';
import type { RelayPublish } from './deliver';

/**
 * Rendezvous (highest random weight) hashing: every candidate gets a score
 * for the key, highest first. All frames with one key take the same gateway
 * while it is ready (so they keep their order), keys spread evenly over the
 * gateways, and when one goes away or comes back only its own share of keys
 * moves. A handful of gateways: sorting them per publish costs nothing.
 */
export function rendezvousOrder<T extends { readonly address: string }>(candidates: Iterable<T>, key: string): T[] {
  const scored: { candidate: T; score: number }[] = [];
  for (const candidate of candidates) scored.push({ candidate, score: hash32(candidate.address, key) });
  scored.sort((a, b) => b.score - a.score || (a.candidate.address < b.candidate.address ? -1 : 1));
  return scored.map((s) => s.candidate);
}

/** The key a publish is routed by (see RelayPublish.routeKey). */
export function routeKeyOf(message: Pick<RelayPublish, 'rooms' | 'grantRoom' | 'routeKey'>): string {
  if (message.routeKey) return message.routeKey;
  if (message.grantRoom) return message.grantRoom;
  if (message.rooms.length === 1) return message.rooms[0] ?? '';
  return [...message.rooms].sort().join('\n');
}

/** What the router needs of a gateway link. */
export interface RoutableLink {
  readonly address: string;
  /** Numbers the link's streams: a seq means something only on its stream. */
  readonly stream: number;
  /** True while publish `seq` of stream `stream` is written on this link and not yet acknowledged. */
  inFlight(stream: number, seq: number): boolean;
}

/** Keys whose last publish is remembered. @default 10_000 */
const DEFAULT_MAX_PINS = 10_000;

/**
 * Picks the order in which a publish tries the ready links: rendezvous order
 * for its key, except that a key stays on the link carrying its last
 * unacknowledged publish (a gateway coming back, or a full one recovering,
 * takes its share of keys back without letting a key's next frame overtake
 * the previous one), and a preferred link (a replay's) goes first otherwise.
 */
export class PublishRouter<L extends RoutableLink> {
  /** Insertion order is publish order (entries are re-inserted), so the oldest are at the front. */
  private readonly pins = new Map<string, { link: L; stream: number; seq: number }>();

  constructor(private readonly maxPins = DEFAULT_MAX_PINS) {}

  order(ready: readonly L[], key: string, preferred?: L): L[] {
    if (ready.length <= 1) return [...ready];
    const order = rendezvousOrder(ready, key);
    const first = this.pinned(key) ?? preferred;
    if (!first || first === order[0] || !order.includes(first)) return order;
    return [first, ...order.filter((link) => link !== first)];
  }

  /** The link carrying the key's last publish while it is unacknowledged: the only one the key's next frame may take. */
  pinned(key: string): L | undefined {
    const pin = this.pins.get(key);
    return pin && pin.link.inFlight(pin.stream, pin.seq) ? pin.link : undefined;
  }

  /** The key's publish went out on `link` as `seq` of its current stream. */
  sent(key: string, link: L, seq: number): void {
    this.pins.delete(key);
    this.pins.set(key, { link, stream: link.stream, seq });
    if (this.pins.size <= this.maxPins) return;
    const oldest = this.pins.keys().next();
    if (!oldest.done) this.pins.delete(oldest.value);
  }

  clear(): void {
    this.pins.clear();
  }
}
