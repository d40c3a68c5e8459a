import { decodeAdminCommand, type AdminCommand } from '@parley/protocol';
import type { Logger } from '@parley/util';
import type { ImServer } from '../socket/socket-types';

/** What the app does on an operator's drain (im-service: as on SIGTERM, drain then exit; embedded: this node only). */
export type DrainHook = (by: string) => void;

/** Drops logged: the first, then every this many. */
const LOG_EVERY = 1_000;
/** Notice ids remembered so a notice sent twice (two gateways, a retry) is shown once. */
const SEEN_NOTICES = 256;

/**
 * Operators' commands from the gateways (AdminCommand relay frames). The
 * relay client hands over only frames of streams whose gateway proved the
 * cluster secret; each is still validated like client input
 * (decodeAdminCommand), and an invalid one is dropped, counted and logged.
 * `notice` goes to every local socket as `system:notice`; `drain` calls the
 * app's hook once.
 */
export class AdminCommands {
  private readonly seenNotices = new Set<string>();
  private draining = false;
  private droppedCount = 0;

  constructor(
    private readonly io: ImServer,
    private readonly drain: DrainHook,
    private readonly logger: Logger,
    /** Counts a dropped command (parley_relay_frames_dropped_total). */
    private readonly onDropped?: (reason: string) => void,
  ) {}

  readonly receive = (raw: { id: string; kind: string; payload: Uint8Array }, gatewayId: string): void => {
    const decoded = decodeAdminCommand(raw);
    if (!decoded.ok) {
      this.droppedCount++;
      this.onDropped?.(`admin_${decoded.reason}`);
      if (this.droppedCount % LOG_EVERY === 1) {
        this.logger.warn({ gatewayId, kind: raw.kind.slice(0, 32), reason: decoded.reason, dropped: this.droppedCount }, 'invalid admin command from a gateway dropped');
      }
      return;
    }
    this.apply(decoded.command, gatewayId);
  };

  /** Invalid commands dropped so far. */
  get dropped(): number {
    return this.droppedCount;
  }

  private apply(command: AdminCommand, gatewayId: string): void {
    switch (command.kind) {
      case 'notice': {
        if (this.seenNotices.has(command.payload.id)) return;
        this.seenNotices.add(command.payload.id);
        if (this.seenNotices.size > SEEN_NOTICES) this.seenNotices.delete(this.seenNotices.values().next().value as string);
        this.io.emit('system:notice', command.payload);
        this.logger.info({ gatewayId, noticeId: command.payload.id, sockets: this.io.of('/').sockets.size }, 'operator notice sent to local sockets');
        return;
      }
      case 'drain': {
        // Once: a second drain (another click, another gateway) changes nothing.
        if (this.draining) return;
        this.draining = true;
        this.logger.warn({ gatewayId, by: command.payload.by }, 'operator asked this node to drain');
        this.drain(command.payload.by);
        return;
      }
    }
  }
}
