import type { Presence, SessionService } from '@parley/domain';
import type { Logger } from '@parley/util';
import type { ImServer } from './socket/socket-types';

export interface PresenceKeeperOptions {
  /** Liveness key TTL; sessions of a node silent this long stop counting. @default 15000 */
  ttlMs: number;
  /** Heartbeat period; must be well under ttlMs. @default 5000 */
  heartbeatMs: number;
  /** Sweep dead nodes' sessions every this many heartbeats. @default 3 */
  sweepEvery: number;
}

export const DEFAULT_PRESENCE_KEEPER: PresenceKeeperOptions = Object.freeze({
  ttlMs: 15_000,
  heartbeatMs: 5_000,
  sweepEvery: 3,
});

/**
 * Keeps this node's liveness key fresh, re-registers its sessions when the key
 * was lost (Redis restarted empty, or a long pause), and sweeps dead nodes'
 * sessions, announcing the users who thereby went offline.
 */
export class PresenceKeeper {
  private timer: NodeJS.Timeout | undefined;
  private beats = 0;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly nodeId: string,
    private readonly presence: Presence,
    private readonly sessions: SessionService,
    private readonly io: ImServer,
    private readonly logger: Logger,
    private readonly options: PresenceKeeperOptions = DEFAULT_PRESENCE_KEEPER,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.running = this.beat();
    }, this.options.heartbeatMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    const offline = await this.presence.removeNode(this.nodeId).catch((err: unknown) => {
      this.logger.warn({ err }, 'could not remove presence on shutdown');
      return [] as string[];
    });
    await this.announceAll(offline, false);
  }

  private async beat(): Promise<void> {
    try {
      const { wasAlive } = await this.presence.heartbeat(this.nodeId, this.options.ttlMs);
      if (!wasAlive) await this.restore();
      this.beats++;
      if (this.beats % this.options.sweepEvery === 0) {
        await this.announceAll(await this.presence.sweep(), false);
      }
    } catch (err) {
      this.logger.warn({ err }, 'presence heartbeat failed; retrying next beat');
    }
  }

  private async restore(): Promise<void> {
    const sockets = await this.io.local.fetchSockets();
    if (sockets.length === 0) return;
    const refs = sockets.map((s) => ({ userId: s.data.userId, sessionId: s.id }));
    const back = await this.presence.restoreSessions(this.nodeId, refs);
    this.logger.info({ sessions: refs.length }, 'presence restored after liveness loss');
    await this.announceAll(back, true);
  }

  private async announceAll(userIds: readonly string[], online: boolean): Promise<void> {
    for (const userId of userIds) {
      await this.sessions.announce(userId, online).catch((err: unknown) => {
        this.logger.warn({ err, userId }, 'presence announcement failed');
      });
    }
  }
}
