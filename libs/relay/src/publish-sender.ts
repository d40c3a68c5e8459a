import type { Logger } from '@parley/util';
import type { RelayPublish } from './deliver';
import type { GatewayLink } from './gateway-link.grpc';
import { PublishRouter, routeKeyOf } from './publish-route';

/** What publishing counts (RelayClientStats). */
export interface PublishCounters {
  published: number;
  publishDropped: number;
  resent: number;
  stranded: number;
  replayed: number;
}

/**
 * A node's publishes onto its gateway links: each through ONE ready link,
 * in the order PublishRouter gives for its route key; a lost link's
 * unacknowledged ones sent again through the others, the rest handed back.
 */
export class PublishSender {
  private readonly router = new PublishRouter<GatewayLink>();

  constructor(
    private readonly links: ReadonlyMap<string, GatewayLink>,
    private readonly counters: PublishCounters,
    private readonly logger: Logger,
    /** Hands frames no link could take to whoever keeps them; false when nobody does (they are dropped). */
    private readonly strand: (frames: RelayPublish[]) => boolean,
  ) {}

  /** The link that took the frame, or undefined when none could (counted as dropped). */
  send(message: RelayPublish, barrier: number, via?: string): GatewayLink | undefined {
    const link = this.trySend(message, barrier, via);
    if (link) return link;
    this.counters.publishDropped++;
    this.logger.debug({ messageId: message.messageId }, 'no relay gateway ready; publish dropped');
    return undefined;
  }

  /**
   * Sends a lost link's unacknowledged publishes again through the other
   * ready links, in order, as plain publishes (a barrier answers
   * 'unconfirmed' for its lost link whatever happens here). From the first
   * one no link takes, the rest are handed back in order.
   */
  resend(unacked: readonly RelayPublish[], from: string): void {
    if (unacked.length === 0) return;
    let i = 0;
    for (; i < unacked.length; i++) {
      const message = unacked[i] as RelayPublish;
      if (!this.trySend(message, 0)) break;
      this.counters.resent++;
    }
    const stranded = unacked.slice(i);
    if (i > 0) this.logger.info({ gateway: from, resent: i }, 'relay gateway lost; its unacknowledged publishes sent again through another');
    if (stranded.length === 0) return;
    this.counters.stranded += stranded.length;
    if (this.strand(stranded)) return;
    this.counters.publishDropped += stranded.length;
    this.logger.warn({ gateway: from, dropped: stranded.length }, 'relay gateway lost with unacknowledged publishes and no other gateway ready; dropped');
  }

  clear(): void {
    this.router.clear();
  }

  private trySend(message: RelayPublish, barrier: number, via?: string): GatewayLink | undefined {
    // Known cost: a few small allocations per publish (this object, the ready list, the rendezvous order).
    const publish = {
      rooms: [...message.rooms],
      event: message.event,
      payload: message.payload,
      messageId: message.messageId,
      grantRoom: message.grantRoom ?? '',
      barrier,
      toNode: message.toNode ?? '',
      allNodes: message.allNodes ?? false,
      traceId: message.traceId ?? '',
      traceFlags: message.traceFlags ?? 0,
      spanId: message.spanId ?? '',
    };
    const key = routeKeyOf(message);
    const ready: GatewayLink[] = [];
    for (const link of this.links.values()) if (link.state === 'ready') ready.push(link);
    // A key whose last publish is still unacknowledged on a link goes there or
    // nowhere: another link could deliver it ahead of that one. Not sent, the
    // frame stays first in its caller's queue (the outbox) and keeps its place.
    const pinned = this.router.pinned(key);
    for (const link of this.router.order(ready, key, via === undefined ? undefined : this.links.get(via))) {
      const seq = link.sendPublish(publish, message);
      if (seq === 0 && link === pinned) return undefined;
      if (seq === 0) continue;
      this.counters.published++;
      if (message.toNode) this.counters.replayed++;
      else this.router.sent(key, link, seq);
      return link;
    }
    return undefined;
  }
}
