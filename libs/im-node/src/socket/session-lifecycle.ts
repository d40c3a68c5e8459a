import type { SessionService } from '@parley/domain';
import type { Logger } from '@parley/util';
import type { RoomMembership } from '../relay/room-membership';
import { releaseHandshake } from './connection-memory';
import type { ImSocket } from './socket-types';

type Next = (err?: Error) => void;

/**
 * Loads the user's rooms while the handshake is still open, and makes every
 * gateway route them here before it completes: by the time the client sees
 * `connect`, its socket is in every room it belongs to and nothing published
 * to those rooms can miss this node.
 */
export function loadRooms(membership: RoomMembership, logger: Logger) {
  return (socket: ImSocket, next: Next): void => {
    membership.prepare(socket.data.userId).then(
      (read) => {
        socket.data.roomsRead = read;
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
 * Joins each new socket to its rooms (the handshake's read, settled against
 * joins and leaves applied since) and keeps presence in step with its life.
 * The disconnect listener is one function shared by every socket (Socket.IO
 * calls it with the socket as `this`), not a closure per connection.
 */
export function sessionLifecycle(sessions: SessionService, membership: RoomMembership, logger: Logger): (socket: ImSocket) => void {
  function onDisconnect(this: ImSocket): void {
    const { userId } = this.data;
    sessions.disconnected(userId, this.id).catch((err: unknown) => {
      logger.warn({ err, userId }, 'presence update failed on disconnect');
    });
  }
  return (socket) => {
    const { userId, roomsRead } = socket.data;
    delete socket.data.roomsRead;
    const rooms = roomsRead && membership.settleNow(userId, roomsRead);
    if (rooms) void socket.join(rooms);
    else membership.resync(socket).catch((err: unknown) => logger.warn({ err, userId }, 'could not load rooms'));
    releaseHandshake(socket);
    sessions.connected(userId, socket.id).catch((err: unknown) => {
      logger.warn({ err, userId }, 'presence update failed on connect');
    });
    socket.on('disconnect', onDisconnect);
  };
}
