import type { Logger } from '@parley/util';
import type { AdminCommand__Output } from './generated/parley/relay/v1/AdminCommand';
import type { AdminCommandHandler } from './relay-client.types';

/**
 * Hands operators' commands (AdminCommand, only from welcomed streams: see
 * GatewayLink) to the node, as received: the node validates them. A handler
 * that throws is logged, never let into the stream's event handling.
 */
export class AdminInbox {
  constructor(
    private handler: AdminCommandHandler,
    private readonly counters: { adminCommands: number },
    private readonly logger: Logger,
  ) {}

  /** Set once the node exists. */
  setHandler(handler: AdminCommandHandler): void {
    this.handler = handler;
  }

  receive(admin: AdminCommand__Output, gatewayId: string): void {
    this.counters.adminCommands++;
    try {
      this.handler({ id: admin.id, kind: admin.kind, payload: admin.payload }, gatewayId);
    } catch (err) {
      this.logger.error({ err, kind: admin.kind }, 'relay admin command handler threw');
    }
  }
}
