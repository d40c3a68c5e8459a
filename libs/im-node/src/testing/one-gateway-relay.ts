import { EventEmitter } from 'node:events';
import type { AdminCommandHandler } from '@parley/relay';
import type { BarrierOutcome, RelayLink } from '../relay/relay-link';

/** A relay with one gateway stream, ready as soon as it starts; it keeps the admin-command handler the node gives it. */
export class OneGatewayRelay extends EventEmitter implements RelayLink {
  adminHandler: AdminCommandHandler | undefined;
  publish(): boolean {
    return true;
  }
  async publishConfirmed(): Promise<BarrierOutcome> {
    return 'confirmed';
  }
  handleDeliveries(): void {}
  setInterest(): void {}
  async announce(): Promise<void> {}
  handleAdminCommands(handler: AdminCommandHandler): void {
    this.adminHandler = handler;
  }
  start(): void {
    setImmediate(() => this.emit('gateway:ready', '127.0.0.1:1', 'gw-1'));
  }
  async stop(): Promise<void> {}
}
