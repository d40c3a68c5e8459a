import type { RelayLink } from './relay-link';
import type { RoomResync } from './room-resync';

/**
 * Frames published by other nodes while this node had no gateway at all
 * never reached it. When the first gateway is back after such a gap, tell
 * every local session to sync (coalesced with the other resync notices),
 * instead of leaving them to notice on their next message or reconnect.
 */
export function watchRelayGaps(relay: RelayLink, resync: Pick<RoomResync, 'all'>): void {
  const ready = new Set<string>();
  let everReady = false;
  let cutOff = false;
  relay.on('gateway:ready', (address) => {
    if (ready.size === 0 && cutOff) resync.all();
    ready.add(address);
    everReady = true;
    cutOff = false;
  });
  relay.on('gateway:down', (address) => {
    ready.delete(address);
    if (ready.size === 0 && everReady) cutOff = true;
  });
}
