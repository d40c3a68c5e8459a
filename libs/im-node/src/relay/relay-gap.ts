import type { RelayLink } from './relay-link';

/** Where the resync notice goes: this node's own sockets only. */
export interface LocalBroadcast {
  emit(event: 'server:resync', payload: { withinMs: number }): unknown;
}

/**
 * Frames published by other nodes while this node had no gateway at all
 * never reached it. When the first gateway is back after such a gap, tell
 * the local sessions to sync (spread over `withinMs`), instead of leaving
 * them to notice on their next message or reconnect.
 */
export function watchRelayGaps(relay: RelayLink, local: LocalBroadcast, withinMs: number): void {
  const ready = new Set<string>();
  let everReady = false;
  let cutOff = false;
  relay.on('gateway:ready', (address) => {
    if (ready.size === 0 && cutOff) local.emit('server:resync', { withinMs });
    ready.add(address);
    everReady = true;
    cutOff = false;
  });
  relay.on('gateway:down', (address) => {
    ready.delete(address);
    if (ready.size === 0 && everReady) cutOff = true;
  });
}
