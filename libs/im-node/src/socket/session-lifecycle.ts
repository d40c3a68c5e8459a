import type { SessionService } from '@parley/domain';
import type { Logger } from '@parley/util';
import type { RelayLink } from '../relay-link';
import { releaseHandshake } from './connection-memory';
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

/**
 * Joins each new socket to its preloaded rooms and keeps presence in step
 * with its life. The disconnect listener is one function shared by every
 * socket (Socket.IO calls it with the socket as `this`), not a closure per
 * connection.
 */
export function sessionLifecycle(sessions: SessionService, logger: Logger): (socket: ImSocket) => void {
  function onDisconnect(this: ImSocket): void {
    const { userId } = this.data;
    sessions.disconnected(userId, this.id).catch((err: unknown) => {
      logger.warn({ err, userId }, 'presence update failed on disconnect');
    });
  }
  return (socket) => {
    void socket.join(socket.data.initialRooms ?? []);
    delete socket.data.initialRooms;
    releaseHandshake(socket);
    const { userId } = socket.data;
    sessions.connected(userId, socket.id).catch((err: unknown) => {
      logger.warn({ err, userId }, 'presence update failed on connect');
    });
    socket.on('disconnect', onDisconnect);
  };
}
