import type { GatewayLink } from './gateway-link.grpc';

interface PendingBarrier {
  link: GatewayLink;
  /** Known once the gateway's BarrierRouted arrives. */
  expected: ReadonlySet<string> | undefined;
  confirmed: Set<string>;
  finish(confirmed: boolean): void;
}

/**
 * The origin side of barrier publishes: waits until every node the gateway
 * delivered one to has confirmed applying it, or a bounded time passes, or
 * the stream it went through is lost.
 */
export class BarrierTracker {
  private lastId = 0;
  private readonly pending = new Map<number, PendingBarrier>();

  nextId(): number {
    this.lastId = (this.lastId % 0xffff_fffe) + 1;
    return this.lastId;
  }

  /** Resolves true once confirmed by every reached node, false on timeout or a lost stream. */
  wait(id: number, link: GatewayLink, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (confirmed: boolean): void => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(confirmed);
      };
      this.pending.set(id, { link, expected: undefined, confirmed: new Set(), finish });
    });
  }

  routed(link: GatewayLink, id: number, nodes: readonly string[]): void {
    const barrier = this.pending.get(id);
    if (!barrier || barrier.link !== link) return;
    barrier.expected = new Set(nodes);
    this.check(barrier);
  }

  confirmed(link: GatewayLink, id: number, nodeId: string): void {
    const barrier = this.pending.get(id);
    if (!barrier || barrier.link !== link) return;
    barrier.confirmed.add(nodeId);
    this.check(barrier);
  }

  /** A lost stream will never confirm what went through it. */
  linkDown(link: GatewayLink): void {
    for (const barrier of [...this.pending.values()]) if (barrier.link === link) barrier.finish(false);
  }

  clear(): void {
    for (const barrier of [...this.pending.values()]) barrier.finish(false);
  }

  private check(barrier: PendingBarrier): void {
    if (!barrier.expected) return;
    for (const node of barrier.expected) if (!barrier.confirmed.has(node)) return;
    barrier.finish(true);
  }
}
