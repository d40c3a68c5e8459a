import { isRelayEventName, isRoomName, type RelayEventPayloads } from '@parley/protocol';
import type { Logger } from '@parley/util';
import type { ClusterNotifier } from './cluster-notifier';
import type { RelayedFrame } from './relay-link';

/** Applies a frame relayed from another node; malformed frames are dropped and logged. */
export function deliverRelayedFrame(frame: RelayedFrame, notifier: ClusterNotifier, logger: Logger): void {
  const rooms = frame.rooms.filter(isRoomName);
  if (!isRelayEventName(frame.event) || rooms.length === 0) {
    logger.warn({ event: frame.event, origin: frame.originNode }, 'dropped malformed relay frame');
    return;
  }
  let payload: RelayEventPayloads[typeof frame.event];
  try {
    payload = JSON.parse(Buffer.from(frame.payload).toString('utf8'));
  } catch {
    logger.warn({ event: frame.event, origin: frame.originNode }, 'dropped relay frame with bad payload');
    return;
  }
  notifier.applyLocally(rooms, frame.event, payload);
}
