import type { ImServer } from '../socket/socket-types';

/**
 * Distinct users with a socket here: every session's socket is in its
 * user's room, so the count of user rooms is kept from the adapter's
 * create-room / delete-room events (nothing is walked at scrape time).
 */
export function countConnectedUsers(io: ImServer): () => number {
  let users = 0;
  const adapter = io.of('/').adapter;
  adapter.on('create-room', (room: string) => {
    if (room.startsWith('user:')) users++;
  });
  adapter.on('delete-room', (room: string) => {
    if (room.startsWith('user:')) users--;
  });
  return () => users;
}
