import type { GatewayEvents, IdGenerator } from '@parley/domain';
import { encodeRelayPayload, type GatewayEventName, type RoomName, type ServerEventPayloads } from '@parley/protocol';
import type { RelayServer } from '@parley/relay';

/**
 * The gateway's own pushes (GATEWAY_EVENT_NAMES), written to every node with
 * interest in the rooms through this gateway's relay streams, marked as the
 * gateway's (from_gateway). Best effort, like a node's publish.
 */
export class RelayGatewayEvents implements GatewayEvents {
  constructor(
    private readonly relay: Pick<RelayServer, 'deliverOwn'>,
    private readonly ids: IdGenerator,
  ) {}

  publish<E extends GatewayEventName>(rooms: readonly RoomName[], event: E, payload: ServerEventPayloads[E]): void {
    this.relay.deliverOwn({ rooms, event, payload: encodeRelayPayload(payload), messageId: this.ids.next() });
  }
}
