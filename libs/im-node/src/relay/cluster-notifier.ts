import { encodeRelayPayload, userRoom, type GroupRoomName, type RelayFrameEventName, type RelayFramePayloads, type RoomName, type RelayableEventName, type ServerEventPayloads } from '@parley/protocol';
import type { Notifier, PublishOptions } from '@parley/domain';
import type { MessageTracer, SendTrace } from '@parley/observability';
import type { Logger } from '@parley/util';
import type { ControlIds } from './control-ids';
import type { LocalRooms } from './local-rooms';
import type { RelayOutbox } from './outbox';
import type { RelayPublish } from './relay-link';

/** Longest a removal waits for other nodes to confirm it before it is acknowledged anyway. @default 2_000 */
export const DEFAULT_BARRIER_TIMEOUT_MS = 2_000;

/**
 * Delivers to this node's sockets directly and to every other interested node
 * through the relay: one JSON encoding, one relay frame per event.
 *
 * Route keys (which frames must take one gateway, in order): everything
 * about a group (its messages, updates, members joining or leaving) is keyed
 * by the group's room, so a join or leave of room R is never overtaken by a
 * later publish to R through another gateway; other frames by their rooms.
 */
export class ClusterNotifier implements Notifier {
  constructor(
    private readonly local: LocalRooms,
    private readonly outbox: RelayOutbox,
    private readonly ids: ControlIds,
    private readonly logger: Logger,
    private readonly barrierTimeoutMs = DEFAULT_BARRIER_TIMEOUT_MS,
    /** Finds the followed message:send (if any) of a message:new, to log the local push and put its trace in the frame. */
    private readonly tracer?: MessageTracer,
  ) {}

  publish<E extends RelayableEventName>(
    rooms: readonly RoomName[],
    event: E,
    payload: ServerEventPayloads[E],
    messageId?: string,
    options: PublishOptions = {},
  ): void {
    if (rooms.length === 0) return;
    this.local.emit(rooms, event, payload, options.exceptSession);
    const frame = this.frame(rooms, event, payload, messageId, options.grantRoom);
    const trace = event === 'message:new' ? this.sendTraceOf(payload as ServerEventPayloads['message:new']) : undefined;
    if (trace !== undefined) this.traced(trace, frame, rooms, payload, options.exceptSession);
    this.outbox.send(frame);
  }

  /** A message:new's send, if followed and in flight here: one Map get by its sender and clientMsgId (none when nothing is followed). */
  private sendTraceOf(message: ServerEventPayloads['message:new']): SendTrace | undefined {
    return this.tracer?.traceOf(message.senderId, message.clientMsgId);
  }

  /** The local push line, and the trace carried on in the frame to the gateway and the receiving nodes. */
  private traced(trace: SendTrace, frame: RelayPublish, rooms: readonly RoomName[], payload: unknown, exceptSession: string | undefined): void {
    frame.traceId = trace.traceId;
    frame.traceFlags = trace.flags;
    if (trace.spanId !== '') frame.spanId = trace.spanId;
    const reached = this.local.reach(rooms, exceptSession);
    if (reached > 0) this.tracer?.pushedLocally(trace, frame.event, frame.messageId, conversationIdOf(payload), reached);
  }

  async publishConfirmed<E extends RelayableEventName>(rooms: readonly RoomName[], event: E, payload: ServerEventPayloads[E]): Promise<void> {
    if (rooms.length === 0) return;
    this.local.emit(rooms, event, payload);
    await this.confirm(this.frame(rooms, event, payload));
  }

  joinRoom(userIds: readonly string[], room: GroupRoomName): void {
    this.local.join(userIds, room);
    // The grant makes the gateway route the room's next publishes to the
    // members' nodes before their own interest announcements arrive.
    this.outbox.send(this.frame(userIds.map(userRoom), 'room:join', { users: [...userIds], room }, undefined, room, room));
  }

  /** Local sessions leave at once; remote ones before this resolves (or the barrier times out). */
  async leaveRoom(userIds: readonly string[], room: GroupRoomName): Promise<void> {
    this.local.leave(userIds, room);
    await this.confirm(this.frame(userIds.map(userRoom), 'room:leave', { users: [...userIds], room }, undefined, undefined, room));
  }

  private async confirm(frame: RelayPublish): Promise<void> {
    const outcome = await this.outbox.sendConfirmed(frame, this.barrierTimeoutMs);
    if (outcome !== 'confirmed') {
      // A node that missed it re-checks its sessions' rooms when it is back
      // (relay gap resync) and at every sync.
      this.logger.warn({ event: frame.event, outcome, timeoutMs: this.barrierTimeoutMs }, 'removal barrier not confirmed by every node');
    }
  }

  /** One JSON encoding per event, whatever the number of receiving nodes. */
  private frame(
    rooms: readonly RoomName[],
    event: RelayFrameEventName,
    payload: RelayFramePayloads[RelayFrameEventName],
    messageId?: string,
    grantRoom?: RoomName,
    routeKey: string | undefined = grantRoom ?? groupRoomOf(rooms),
  ): RelayPublish {
    return { rooms: [...rooms], event, payload: encodeRelayPayload(payload), messageId: messageId ?? this.ids.next(), grantRoom, routeKey };
  }
}

/** The conversation a traced event belongs to (message:new, receipts, typing carry one). */
export function conversationIdOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null || !('conversationId' in payload)) return undefined;
  const id = payload.conversationId;
  return typeof id === 'string' ? id : undefined;
}

/** The group room a publish concerns, if any (the smallest, should there be several). */
function groupRoomOf(rooms: readonly RoomName[]): RoomName | undefined {
  let found: RoomName | undefined;
  for (const room of rooms) if (room.startsWith('group:') && (found === undefined || room < found)) found = room;
  return found;
}
