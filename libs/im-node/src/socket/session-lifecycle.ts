import type { SessionService } from '@parley/domain';
import type { Logger } from '@parley/util';
import type { RelayLink } from '../relay-link';
import type { ImSocket } from './socket-types';

type Next = (err?: Error) => void;

/** Longest a handshake waits for the gateways to confirm its rooms. */
const ANNOUNCE_WAIT_MS = 250;

/**
 * Loads the user's rooms while the handshake is still open, and makes every
 * gateway route them here before it completes: by the time the client sees
 * `connect`, its socket is in every room it belongs to and nothing published
 * to those rooms can miss this node.
 */
export function loadRooms(sessions: SessionService, relay: RelayLink, logger: Logger) {
  return (socket: ImSocket, next: Next): void => {
    sessions.roomsFor(socket.data.userId).then(
      async (rooms) => {
        socket.data.initialRooms = rooms;
        // Announced ahead of the join; the join's own create-room is then a no-op.
        for (const room of rooms) relay.setInterest(room, true);
        await relay.announce(ANNOUNCE_WAIT_MS);
        next();
      },
      (err: unknown) => {
        logger.warn({ err, userId: socket.data.userId }, 'could not load rooms');
        next(new Error('UNAVAILABLE'));
      },
    );
  };
}

/** Joins the preloaded rooms and keeps presence in step with the socket's life. */
export function attachSession(socket: ImSocket, sessions: SessionService, logger: Logger): void {
  void socket.join(socket.data.initialRooms ?? []);
  delete socket.data.initialRooms;
  // Read once, at authentication: not worth a kilobyte per connection afterwards.
  socket.handshake.headers = {};
  socket.handshake.auth = {};
  const { userId } = socket.data;
  sessions.connected(userId, socket.id).catch((err: unknown) => {
    logger.warn({ err, userId }, 'presence update failed on connect');
  });
  socket.on('disconnect', () => {
    sessions.disconnected(userId, socket.id).catch((err: unknown) => {
      logger.warn({ err, userId }, 'presence update failed on disconnect');
    });
  });
}
