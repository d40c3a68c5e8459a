import type { Logger } from '@parley/util';
import type { BarrierOutcome, RelayLink, RelayPublish } from './relay-link';

/** Frames kept while no gateway is reachable. @default 10_000 */
const DEFAULT_LIMIT = 10_000;

/**
 * The one owner of this node's outgoing relay frames: sends each through the
 * relay, or keeps it while no gateway is reachable and replays the kept ones
 * in order as soon as one is back, so remote sessions get them without
 * waiting for their next sync. Replays are harmless: clients drop ids they hold.
 */
export class RelayOutbox {
  private readonly kept: RelayPublish[] = [];

  constructor(
    private readonly relay: RelayLink,
    private readonly logger: Logger,
    private readonly limit = DEFAULT_LIMIT,
  ) {
    relay.on('gateway:ready', () => this.flush());
  }

  send(frame: RelayPublish): void {
    if (this.kept.length === 0 && this.relay.publish(frame)) return;
    this.keep(frame);
  }

  /** Sends as a barrier when nothing is waiting ahead of it; otherwise it queues (in order) and is not confirmed. */
  async sendConfirmed(frame: RelayPublish, timeoutMs: number): Promise<BarrierOutcome> {
    if (this.kept.length === 0) {
      const outcome = await this.relay.publishConfirmed(frame, timeoutMs);
      if (outcome !== 'unsent') return outcome;
    }
    this.keep(frame);
    return 'unsent';
  }

  get depth(): number {
    return this.kept.length;
  }

  private keep(frame: RelayPublish): void {
    this.kept.push(frame);
    if (this.kept.length > this.limit) {
      // Not a loss of data: the store holds every message and clients sync.
      this.kept.shift();
      this.logger.warn({ limit: this.limit }, 'relay outbox full; oldest push dropped');
    }
  }

  /** Oldest first; a frame leaves the queue once the relay took it. */
  private flush(): void {
    for (let frame = this.kept[0]; frame !== undefined && this.relay.publish(frame); frame = this.kept[0]) this.kept.shift();
  }
}
