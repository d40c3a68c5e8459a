import { isRoomName, RELAY_LOST, type RoomName } from '@parley/protocol';
import type { Logger } from '@parley/util';
import type { Deliver } from './deliver';
import type { Deliver__Output } from './generated/parley/relay/v1/Deliver';
import type { NodeFrame } from './generated/parley/relay/v1/NodeFrame';
import type { SeenFrames } from './seen-frames';

/** The stream a Deliver came on: where corrections and barrier answers go back. */
export interface DeliverySource {
  readonly gatewayId: string | undefined;
  sendControl(frame: NodeFrame): void;
}

/** What the inbox counts (RelayClientStats). */
export interface DeliveryCounters {
  delivered: number;
  ignored: number;
  deduplicated: number;
}

/**
 * Relayed frames on their way to the node: only for rooms it announced
 * (a stale room is taken back from the gateway), each applied once (a
 * re-send or a replay is dropped), a barrier answered once applied.
 */
export class DeliveryInbox {
  constructor(
    private handler: (deliver: Deliver) => void,
    private readonly wants: (room: string) => room is RoomName,
    private readonly seen: SeenFrames,
    private readonly counters: DeliveryCounters,
    private readonly logger: Logger,
  ) {}

  /** Set once the receiver exists (it usually needs the client first). */
  setHandler(handler: (deliver: Deliver) => void): void {
    this.handler = handler;
  }

  receive(link: DeliverySource, deliver: Deliver__Output): void {
    // A `relay:lost` for every node concerns all our sessions, not its rooms: taken as it is.
    const everyNode = deliver.allNodes && deliver.event === RELAY_LOST;
    // Emit only to rooms we announced: the gateway's view may lag a removal by a frame.
    const rooms = deliver.rooms.filter(everyNode ? isRoomName : this.wants);
    // The gateway thinks we want rooms we don't (a grant for sessions that
    // have left since): tell it, so it stops sending them. Idempotent.
    if (!everyNode && rooms.length < deliver.rooms.length) {
      const stale = deliver.rooms.filter((room) => !this.wants(room));
      link.sendControl({ delta: { add: [], remove: stale } });
    }
    // A barrier is answered once applied; with nothing to apply here, at once.
    const done = deliver.barrier ? () => link.sendControl({ barrierDone: { originNode: deliver.originNode, barrier: deliver.barrier } }) : undefined;
    if (rooms.length === 0) {
      this.counters.ignored++;
      done?.();
      return;
    }
    // A second copy (re-sent after a gateway died before acknowledging it,
    // or replayed): applied once. Gateways' own frames are never re-sent.
    if (!deliver.fromGateway && this.seen.check(deliver.originNode, deliver.event, deliver.messageId)) {
      this.counters.deduplicated++;
      done?.();
      return;
    }
    this.counters.delivered++;
    try {
      this.handler({
        rooms,
        event: deliver.event,
        payload: deliver.payload,
        messageId: deliver.messageId,
        originNode: deliver.originNode,
        gatewayId: link.gatewayId ?? '',
        fromGateway: deliver.fromGateway,
        done,
        // Passed on as received: the node validates them (frameTraceOf) before any use.
        traceId: deliver.traceId,
        traceFlags: deliver.traceFlags,
        spanId: deliver.spanId,
      });
    } catch (err) {
      this.logger.error({ err, messageId: deliver.messageId }, 'relay onDeliver threw');
    }
  }
}
