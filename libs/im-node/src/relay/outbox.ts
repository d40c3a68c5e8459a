import { RELAY_FRAME_LIMITS, RELAY_LOST, encodeRelayPayload, type RoomName } from '@parley/protocol';
import type { Clock } from '@parley/domain';
import type { Logger } from '@parley/util';
import type { ControlIds } from './control-ids';
import type { BarrierOutcome, RelayLink, RelayPublish } from './relay-link';

export interface RelayOutboxOptions {
  /** Frames kept while no gateway is reachable; past it the oldest are dropped and their rooms told to sync. @default 10_000 */
  limit?: number;
  /** How long frames flushed after an outage are kept to replay to nodes that come back later. @default 15_000 */
  replayWindowMs?: number;
  /** Frames kept for replay at most; the oldest go first. @default 10_000 */
  maxReplay?: number;
  /** Distinct rooms of dropped frames remembered for `relay:lost`. @default 50_000 */
  maxLostRooms?: number;
}

export const DEFAULT_RELAY_OUTBOX = Object.freeze({ limit: 10_000, replayWindowMs: 15_000, maxReplay: 10_000, maxLostRooms: 50_000 });

interface Flushed {
  /** Numbers replay entries in order: what was replayed to a node is remembered by the last number. */
  n: number;
  at: number;
  frame: RelayPublish;
}

/** Membership changes are never replayed: an old room:leave would remove a user who rejoined since (a replay is not checked against the store). */
const NOT_REPLAYED: ReadonlySet<string> = new Set(['room:join', 'room:leave']);

/**
 * The one owner of this node's outgoing relay frames: sends each through the
 * relay, or keeps it while no gateway is reachable (with what a lost gateway
 * never acknowledged and no other could take: 'publish:stranded') and sends
 * the kept ones in order as soon as one is back, so remote sessions get them
 * without waiting for their next sync.
 *
 * The first gateway back may not reach every node yet (the others reconnect
 * to it later): frames flushed after an outage stay in a replay buffer for
 * `replayWindowMs`, and each node a gateway announces as (re)connected
 * (PeerUp) gets them again, addressed to it alone (to_node). Replays are
 * harmless: receivers drop frames they have applied, clients ids they hold.
 *
 * Past `limit` the oldest kept frames are dropped, never silently: their
 * rooms get a `relay:lost` frame once a gateway is back, and the receiving
 * nodes tell their sessions in those rooms to sync.
 */
export class RelayOutbox {
  private readonly kept: RelayPublish[] = [];
  private readonly replay: Flushed[] = [];
  private replayNumber = 0;
  /** Per node, the last replay entry it was sent: a node connecting to several gateways gets each frame once. */
  private readonly replayedUpTo = new Map<string, number>();
  private readonly lostRooms = new Set<RoomName>();
  private lostOverflow = 0;
  private readonly options: Required<RelayOutboxOptions>;
  private replayedCount = 0;
  private droppedCount = 0;

  constructor(
    private readonly relay: RelayLink,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly ids: ControlIds,
    options: RelayOutboxOptions = {},
  ) {
    // At least one room is remembered: an all-nodes relay:lost must name one.
    const merged = { ...DEFAULT_RELAY_OUTBOX, ...options };
    this.options = { ...merged, maxLostRooms: Math.max(1, merged.maxLostRooms) };
    relay.on('gateway:ready', () => this.flush());
    relay.on('publish:room', () => this.flush());
    relay.on('publish:stranded', (frames) => this.strand(frames));
    relay.on('peer:up', (nodeId, address) => this.replayTo(nodeId, address));
  }

  send(frame: RelayPublish): void {
    if (this.kept.length > 0) this.flush();
    if (this.kept.length === 0 && this.relay.publish(frame)) return;
    this.keep(frame);
  }

  /** Sends as a barrier when nothing is waiting ahead of it; otherwise it queues (in order) and is not confirmed. */
  async sendConfirmed(frame: RelayPublish, timeoutMs: number): Promise<BarrierOutcome> {
    if (this.kept.length > 0) this.flush();
    if (this.kept.length === 0) {
      const outcome = await this.relay.publishConfirmed(frame, timeoutMs);
      if (outcome !== 'unsent') return outcome;
    }
    this.keep(frame);
    return 'unsent';
  }

  get depth(): number {
    return this.kept.length;
  }

  stats(): { kept: number; replayBuffer: number; replayed: number; dropped: number } {
    return { kept: this.kept.length, replayBuffer: this.replay.length, replayed: this.replayedCount, dropped: this.droppedCount };
  }

  private keep(frame: RelayPublish): void {
    this.kept.push(frame);
    this.trim();
  }

  /** Older than anything kept: they were published before the gateway was lost. */
  private strand(frames: readonly RelayPublish[]): void {
    this.kept.unshift(...frames);
    this.trim();
  }

  private trim(): void {
    const over = this.kept.length - this.options.limit;
    if (over <= 0) return;
    for (const frame of this.kept.splice(0, over)) this.lose(frame.rooms);
    this.droppedCount += over;
    this.logger.warn({ limit: this.options.limit, dropped: over }, 'relay outbox full; oldest pushes dropped, their rooms will be told to sync');
  }

  private lose(rooms: readonly RoomName[]): void {
    for (const room of rooms) {
      if (this.lostRooms.has(room)) continue;
      if (this.lostRooms.size >= this.options.maxLostRooms) {
        this.lostOverflow++;
        continue;
      }
      this.lostRooms.add(room);
    }
  }

  /** Oldest first; a frame leaves the queue once the relay took it, then `relay:lost` for what was dropped. */
  private flush(): void {
    for (let frame = this.kept[0]; frame !== undefined && this.relay.publish(frame); frame = this.kept[0]) {
      this.kept.shift();
      this.remember(frame);
    }
    if (this.kept.length === 0 && this.lostRooms.size > 0) this.announceLost();
  }

  /**
   * Past `maxLostRooms` the rooms are no longer all known: one frame says
   * `all` and goes to every node (`allNodes`), each of which syncs all its
   * sessions; the remembered rooms are then moot. (A gateway that predates
   * `all_nodes` routes it by interest in the rooms it names.)
   */
  private announceLost(): void {
    if (this.lostOverflow > 0) {
      this.announceAllLost();
      return;
    }
    const rooms = [...this.lostRooms];
    const payload = encodeRelayPayload({});
    for (let i = 0; i < rooms.length; i += RELAY_FRAME_LIMITS.maxRooms) {
      const chunk = rooms.slice(i, i + RELAY_FRAME_LIMITS.maxRooms);
      const frame: RelayPublish = { rooms: chunk, event: RELAY_LOST, payload, messageId: this.ids.next() };
      if (!this.relay.publish(frame)) return; // the rest stay remembered for the next gateway
      for (const room of chunk) this.lostRooms.delete(room);
      this.remember(frame);
    }
  }

  private announceAllLost(): void {
    // Rooms are named (a frame needs some); every node resyncs all sessions whatever they are.
    const rooms = [...this.lostRooms].slice(0, RELAY_FRAME_LIMITS.maxRooms);
    const frame: RelayPublish = { rooms, event: RELAY_LOST, payload: encodeRelayPayload({ all: true }), messageId: this.ids.next(), allNodes: true };
    if (!this.relay.publish(frame)) return; // remembered for the next gateway
    this.remember(frame);
    this.logger.warn(
      { rooms: this.lostRooms.size + this.lostOverflow, maxLostRooms: this.options.maxLostRooms },
      'more rooms of dropped relay pushes than remembered: every node was told to sync every session',
    );
    this.lostRooms.clear();
    this.lostOverflow = 0;
  }

  private remember(frame: RelayPublish): void {
    const now = this.clock.now();
    this.replay.push({ n: ++this.replayNumber, at: now, frame });
    this.prune(now);
  }

  private prune(now: number): void {
    const cutoff = now - this.options.replayWindowMs;
    let drop = 0;
    while (drop < this.replay.length && (this.replay[drop]?.at ?? Infinity) < cutoff) drop++;
    drop = Math.max(drop, this.replay.length - this.options.maxReplay);
    if (drop > 0) this.replay.splice(0, drop);
  }

  /**
   * A node (re)connected to the gateway at `address`: it may have missed
   * what was flushed before. Each frame goes to a node once, whichever
   * gateways it connects to; one the relay does not take is not skipped
   * silently: its rooms get a `relay:lost` addressed to that node.
   */
  private replayTo(nodeId: string, address: string): void {
    this.prune(this.clock.now());
    const oldest = this.replay[0]?.n ?? Infinity;
    for (const [node, upTo] of this.replayedUpTo) if (upTo < oldest) this.replayedUpTo.delete(node);
    const from = this.replayedUpTo.get(nodeId) ?? 0;
    const last = this.replay.at(-1)?.n ?? 0;
    if (last <= from) return;
    this.replayedUpTo.set(nodeId, last);
    let sent = 0;
    const missed = new Set<RoomName>();
    for (const { n, frame } of this.replay) {
      if (n <= from || NOT_REPLAYED.has(frame.event)) continue;
      if (this.relay.publish({ ...frame, toNode: nodeId }, address)) sent++;
      else for (const room of frame.rooms) missed.add(room);
    }
    this.replayedCount += sent;
    if (missed.size > 0) this.tellLost(nodeId, address, [...missed]);
    this.logger.info({ nodeId, gateway: address, frames: sent, roomsLost: missed.size }, 'replayed frames flushed after a relay outage to a node that came back later');
  }

  /** `relay:lost` to one node; what even that cannot reach is told to every node in those rooms later. */
  private tellLost(nodeId: string, address: string, rooms: RoomName[]): void {
    const payload = encodeRelayPayload({});
    for (let i = 0; i < rooms.length; i += RELAY_FRAME_LIMITS.maxRooms) {
      const chunk = rooms.slice(i, i + RELAY_FRAME_LIMITS.maxRooms);
      const frame: RelayPublish = { rooms: chunk, event: RELAY_LOST, payload, messageId: this.ids.next(), toNode: nodeId };
      if (!this.relay.publish(frame, address)) this.lose(chunk);
    }
  }
}
