import type { IdGenerator, SessionEndNotifier } from '@parley/domain';
import { GATEWAY_SESSION_END, RELAY_FRAME_LIMITS, encodeRelayPayload, userRoom, type SessionEndReason } from '@parley/protocol';
import type { RelayServer } from '@parley/relay';
import type { Logger } from '@parley/util';

/**
 * Tells the IM nodes that sessions ended, through this gateway's own relay
 * streams: one `session:end` frame (from_gateway, see relay.proto) to each
 * node with interest in the user's room, i.e. each node holding one of the
 * user's sockets; the node ends those of the named sessions.
 *
 * Every node keeps a stream to every gateway, so the gateway that served the
 * logout reaches them all directly. A node whose stream to it is down at
 * that moment misses the frame: its sockets of those sessions still end at
 * their access token's expiry (PARLEY_JWT_TTL_SECONDS, minutes), since a
 * renewal checks the session in the store and is refused.
 */
export class RelaySessionEnds implements SessionEndNotifier {
  constructor(
    private readonly relay: Pick<RelayServer, 'deliverOwn'>,
    private readonly ids: IdGenerator,
    private readonly logger: Logger,
  ) {}

  async sessionsEnded(userId: string, sessionIds: readonly string[], reason: SessionEndReason): Promise<void> {
    const rooms = [userRoom(userId)];
    let reached = 0;
    for (let i = 0; i < sessionIds.length; i += RELAY_FRAME_LIMITS.maxSessions) {
      const payload = encodeRelayPayload({ userId, sessionIds: sessionIds.slice(i, i + RELAY_FRAME_LIMITS.maxSessions), reason });
      reached = Math.max(reached, this.relay.deliverOwn({ rooms, event: GATEWAY_SESSION_END, payload, messageId: this.ids.next() }).length);
    }
    this.logger.debug({ userId, sessions: sessionIds.length, reason, nodes: reached }, 'told the nodes that sessions ended');
  }
}
