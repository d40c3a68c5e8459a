/**
 * Logs a refused peer once per window, not once per attempt: a misconfigured
 * node retrying every second, or a scanner, must not flood the log.
 */
export class OncePerPeer {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxPeers = 1_000,
  ) {}

  /** True when `peer` has not been logged within the window. */
  shouldLog(peer: string, now: number): boolean {
    const host = hostOf(peer);
    const at = this.last.get(host);
    if (at !== undefined && now - at < this.windowMs) return false;
    if (this.last.size >= this.maxPeers) this.last.clear();
    this.last.set(host, now);
    return true;
  }
}

/** grpc peers look like `ipv4:10.0.0.5:51234` or `ipv6:[::1]:51234`: the port changes per attempt. */
function hostOf(peer: string): string {
  const colon = peer.lastIndexOf(':');
  return colon > 0 ? peer.slice(0, colon) : peer;
}
