import type { RelayLink } from '../relay/relay-link';

/**
 * Which gateway streams of the relay are ready, followed from its
 * `gateway:ready` / `gateway:down` events: a node with none cannot push to
 * other nodes, so it is not ready for new sessions.
 */
export class RelayReadiness {
  private readonly ready = new Set<string>();
  private waiters: (() => void)[] = [];

  constructor(relay: RelayLink) {
    relay.on('gateway:ready', (address) => {
      this.ready.add(address);
      const waiters = this.waiters;
      this.waiters = [];
      waiters.forEach((wake) => wake());
    });
    relay.on('gateway:down', (address) => this.ready.delete(address));
  }

  /** At least one gateway stream is ready. */
  get anyReady(): boolean {
    return this.ready.size > 0;
  }

  /** Resolves once a stream is ready, or after `timeoutMs` (true when one is). */
  async waitForAny(timeoutMs: number): Promise<boolean> {
    if (this.anyReady) return true;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    clearTimeout(timer);
    return this.anyReady;
  }
}
