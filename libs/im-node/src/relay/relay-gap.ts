import type { RelayLink } from './relay-link';
import type { RoomResync } from './room-resync';

/**
 * Tells every local session to sync (coalesced and spread by RoomResync)
 * whenever a gateway stream that was ready goes down, and whenever one
 * becomes ready while this node already has sessions.
 *
 * Why the receiver decides: frames for this node can be lost without any
 * origin knowing. A gateway killed after acknowledging a publish but before
 * its Deliver frames left the kernel; or gateways coming back staggered: an
 * origin reconnects to a restarted gateway first and routes that gateway's
 * share of keys there while this node has not rejoined it yet (the gateway
 * drops frames for nodes it does not know, and acknowledges them). Neither
 * the origin's resend nor its replay can see those gaps; this node can, by
 * its own link changes. At first start there are no sessions, so no notice.
 */
export function watchRelayGaps(relay: RelayLink, resync: Pick<RoomResync, 'all'>): void {
  relay.on('gateway:down', () => resync.all());
  relay.on('gateway:ready', () => resync.all());
}
