/**
 * The last `capacity` relayed frames this node applied, by (origin node,
 * event, message id): a frame a node re-sent through a second gateway (its
 * first one died before acknowledging it) or replayed to a late node is
 * applied once. A ring plus a set: O(1) per frame, bounded memory.
 */
export class SeenFrames {
  private readonly keys = new Set<string>();
  private readonly ring: (string | undefined)[];
  private next = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<string | undefined>(Math.max(1, capacity));
  }

  /** True when the frame was seen before; otherwise remembers it (forgetting the oldest). */
  check(originNode: string, event: string, messageId: string): boolean {
    const key = `${originNode}\u0000${event}\u0000${messageId}`;
    if (this.keys.has(key)) return true;
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.keys.delete(evicted);
    this.ring[this.next] = key;
    this.next = (this.next + 1) % this.ring.length;
    this.keys.add(key);
    return false;
  }

  get size(): number {
    return this.keys.size;
  }
}
