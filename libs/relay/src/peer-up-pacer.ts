/**
 * Paces PeerUp announcements: at most one per node id per `everyMs`, so a
 * node reconnecting in a loop cannot make every other node replay to it again
 * and again. A reconnect inside the window is announced once when the window
 * ends (if `stillThere` then says the node is connected), not dropped: it may
 * have missed frames since the last one.
 */
export class PeerUpPacer {
  /** When each node was last announced; insertion order is announce order (re-inserted). */
  private readonly lastAt = new Map<string, number>();
  private readonly later = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly everyMs: number,
    private readonly send: (nodeId: string) => void,
    private readonly stillThere: (nodeId: string) => boolean,
  ) {}

  announce(nodeId: string): void {
    const now = Date.now();
    for (const [node, at] of this.lastAt) {
      if (now - at < this.everyMs) break;
      this.lastAt.delete(node);
    }
    const last = this.lastAt.get(nodeId);
    if (last === undefined) {
      this.lastAt.set(nodeId, now);
      this.send(nodeId);
      return;
    }
    if (this.later.has(nodeId)) return;
    const timer = setTimeout(() => {
      this.later.delete(nodeId);
      if (this.stillThere(nodeId)) this.announce(nodeId);
    }, this.everyMs - (now - last));
    this.later.set(nodeId, timer.unref());
  }

  clear(): void {
    for (const timer of this.later.values()) clearTimeout(timer);
    this.later.clear();
    this.lastAt.clear();
  }
}
