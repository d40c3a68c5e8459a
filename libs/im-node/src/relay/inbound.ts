import { decodeRelayFrame, type GroupRoomName, type RelayFrame, type RelayFrameRejection } from '@parley/protocol';
import type { SessionService } from '@parley/domain';
import { frameTraceOf, type FrameTrace, type MessageTracer } from '@parley/observability';
import type { Logger } from '@parley/util';
import { conversationIdOf } from './cluster-notifier';
import type { SessionEnds } from '../socket/session-ends';
import type { LocalRooms } from './local-rooms';
import type { RelayedFrame, RelayLink } from './relay-link';
import type { RoomResync } from './room-resync';

interface Pending {
  frame: RelayFrame;
  done: (() => void) | undefined;
  /** Set for a traced frame only (validated): its push is logged. */
  trace?: FrameTrace;
  raw?: RelayedFrame;
}

/** Drops of one reason logged: the first, then every this many. */
const LOG_EVERY = 1_000;

/**
 * Frames relayed from other nodes, trusted no further than client input:
 * each is decoded and validated (libs/protocol), a bad one is dropped and
 * counted; a room join is applied only once the store confirms the users'
 * membership. Frames are applied in arrival order: while a join waits for
 * the store, later frames wait behind it, so nothing overtakes it.
 */
export class RelayInbound {
  private readonly waiting: Pending[] = [];
  private busy = false;
  private readonly drops = new Map<RelayFrameRejection, number>();

  constructor(
    private readonly local: LocalRooms,
    private readonly sessions: SessionService,
    private readonly relay: Pick<RelayLink, 'setInterest'>,
    private readonly logger: Logger,
    /** Where a gateway's `session:end` goes: the sessions' local sockets are ended. */
    private readonly sessionEnds: Pick<SessionEnds, 'end'>,
    /** Where an origin's `relay:lost` goes: local sessions in its rooms are told to sync (coalesced). */
    private readonly resync: Pick<RoomResync, 'rooms' | 'all'>,
    /** Logs (and spans) the push of frames that carry a trace. */
    private readonly tracer?: MessageTracer,
  ) {}

  readonly receive = (raw: RelayedFrame): void => {
    const decoded = decodeRelayFrame(raw);
    if (!decoded.ok) {
      this.dropped(decoded.reason, raw);
      raw.done?.(); // nothing to apply: the origin need not wait for us
      return;
    }
    const pending: Pending = { frame: decoded.frame, done: raw.done };
    // A forged or garbage trace id is ignored (frameTraceOf checks its format): it never reaches a log.
    if (raw.traceId && this.tracer?.followsRelayed) {
      const trace = frameTraceOf(raw.traceId, raw.traceFlags, raw.spanId);
      if (trace !== undefined) {
        pending.trace = trace;
        pending.raw = raw;
      }
    }
    // Hold the room's interest while the join is checked: the gateway already
    // routes it here (the join's grant), and frames for it that arrive in the
    // meantime must wait behind the join, not be refused as stale.
    if (pending.frame.kind === 'room:join') this.relay.setInterest(pending.frame.payload.room, true);
    if (this.busy) this.waiting.push(pending);
    else this.run(pending);
  };

  /** Frames dropped by reason. */
  dropCounts(): ReadonlyMap<RelayFrameRejection, number> {
    return this.drops;
  }

  private run(pending: Pending): void {
    const async = this.apply(pending.frame);
    if (pending.trace !== undefined) this.tracePush(pending.trace, pending.frame, pending.raw);
    if (!async) {
      pending.done?.();
      return;
    }
    this.busy = true;
    void async.finally(() => {
      pending.done?.();
      this.busy = false;
      while (!this.busy && this.waiting.length > 0) this.run(this.waiting.shift() as Pending);
    });
  }

  /** Applies a frame; returns a promise only when it must wait for the store. */
  private apply(frame: RelayFrame): Promise<void> | undefined {
    switch (frame.kind) {
      case 'event':
        this.local.emit(frame.rooms, frame.event, frame.payload, undefined, 'relayed');
        return undefined;
      case 'room:leave':
        this.local.leave(usersOf(frame.rooms), frame.payload.room);
        return undefined;
      case 'room:join':
        return this.join(usersOf(frame.rooms), frame.payload.room);
      case 'session:end':
        this.sessionEnds.end(frame.payload.userId, frame.payload.sessionIds, frame.payload.reason);
        return undefined;
      case 'relay:lost':
        // Bounded per socket, whoever floods: RoomResync sends at most one notice per window.
        if (frame.payload.all) this.resync.all();
        else this.resync.rooms(frame.rooms);
        return undefined;
    }
  }

  /** Joins only users the store says are members, and not if they left again while it was asked. */
  private async join(userIds: string[], room: GroupRoomName): Promise<void> {
    const mark = this.local.log.mark();
    try {
      const members = await this.sessions.confirmMembers(room.slice('group:'.length), userIds);
      this.local.join(
        members.filter((userId) => !this.local.log.leftSince(mark, userId, room)),
        room,
      );
    } catch (err) {
      // Their next sync joins them from the store.
      this.logger.warn({ err, room }, 'could not confirm a relayed room join; skipped');
    }
    // Nobody here joined after all (not members, or gone): stop asking for the room.
    if (!this.local.has(room)) this.relay.setInterest(room, false);
  }

  /** The push line of a traced event frame: what reached this node's sockets. */
  private tracePush(trace: FrameTrace, frame: RelayFrame, raw: RelayedFrame | undefined): void {
    if (frame.kind !== 'event' || raw === undefined) return;
    this.tracer?.pushedRelayed(trace, {
      event: frame.event,
      messageId: raw.messageId,
      conversationId: conversationIdOf(frame.payload),
      sockets: this.local.reach(frame.rooms),
      originNode: raw.originNode,
      gatewayId: raw.gatewayId ?? '',
    });
  }

  private dropped(reason: RelayFrameRejection, raw: RelayedFrame): void {
    const count = (this.drops.get(reason) ?? 0) + 1;
    this.drops.set(reason, count);
    if (count % LOG_EVERY === 1) {
      this.logger.warn({ reason, event: raw.event.slice(0, 64), origin: raw.originNode, count }, 'dropped an invalid relay frame');
    }
  }
}

/** The frame's rooms are the user rooms of the users this node holds sessions of. */
function usersOf(rooms: readonly string[]): string[] {
  return rooms.map((room) => room.slice('user:'.length));
}
