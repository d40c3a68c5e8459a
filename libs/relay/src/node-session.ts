import type * as grpc from '@grpc/grpc-js';
import { RELAY_FRAME_LIMITS } from '@parley/protocol';
import type { Deliver } from './generated/parley/relay/v1/Deliver';
import type { GatewayFrame } from './generated/parley/relay/v1/GatewayFrame';
import type { NodeFrame__Output } from './generated/parley/relay/v1/NodeFrame';
import { FrameBatcher } from './frame-batch';

export type NodeStream = grpc.ServerDuplexStream<NodeFrame__Output, GatewayFrame>;

export interface NodeSessionLimits {
  /** Frames queued toward the node beyond which Deliver frames are dropped. */
  maxBufferedFrames: number;
  /** Distinct lost rooms remembered; past it the node is told all its rooms. */
  maxLostRooms: number;
}

/** What a session reports to the server's counters. */
export interface NodeSessionCounters {
  framesOut: number;
  dropped: number;
  droppedClosed: number;
  acks: number;
  roomsLost: number;
}

/** How often a session whose queue stays full (no 'drain' pending) is checked. */
const DRAIN_POLL_MS = 20;

/** One tick's publishes of a node: acknowledged once every Deliver they caused has left this process. */
interface AckBatch {
  seq: number;
  done: boolean;
}

/**
 * The gateway's view of one node's stream: writes with a bound on what may
 * queue toward a slow node, acknowledges the node's publishes once per tick
 * (cumulative PublishAck), and remembers the rooms of Deliver frames it had
 * to drop, to tell the node (RoomsLost) once the queue has room again, so
 * the node can ask its sessions in those rooms to sync.
 *
 * A publish is acknowledged only once the Deliver frames it caused are
 * flushed out of this process (their write callbacks ran), not merely
 * queued: a gateway that crashes with frames still queued has not
 * acknowledged them, and their origin sends them again elsewhere.
 *
 * Toward a node that takes batches (Hello.batches), the Deliver frames of
 * one event-loop turn leave as one DeliverBatch; any other frame first
 * flushes the batch, so the node sees every frame in the order written.
 * Counts (the queue bound, flush marks) are in frames, batched or not.
 */
export class NodeSession {
  private routedSeq = 0;
  private ackedSeq = 0;
  private ackScheduled: NodeJS.Immediate | undefined;
  /** Targets written to by this tick's publishes. */
  private readonly touched = new Set<NodeSession>();
  private readonly batches: AckBatch[] = [];
  /** Frames accepted toward the node (batched ones when queued), and those whose write has flushed. */
  private written = 0;
  private flushed = 0;
  /** Callbacks waiting for the writes made before them to flush, in order of `mark`. */
  private readonly flushWaiters: { mark: number; run: () => void }[] = [];
  private readonly onFlushedOne = (): void => this.onFlushed(1);
  /** This turn's Deliver frames, for a node that takes DeliverBatch. */
  private readonly batch = new FrameBatcher<Deliver>((delivers) => this.writeBatch(delivers));
  private readonly lost = new Set<string>();
  private lostOverflow = false;
  private drainWait: NodeJS.Timeout | undefined;
  private waitingForDrain = false;
  private closed = false;

  constructor(
    readonly nodeId: string,
    readonly call: NodeStream,
    private readonly limits: NodeSessionLimits,
    private readonly counters: NodeSessionCounters,
    /** The node's announced rooms: what a lost-room overflow reports. */
    private readonly interest: () => Iterable<string>,
    /** The node takes DeliverBatch frames (its Hello said so). */
    private readonly takesBatches = false,
  ) {}

  /** Writes unless the queue toward the node is full (counted in frames, not bytes: a known limit); a dropped Deliver is remembered by its rooms. */
  write(frame: GatewayFrame): boolean {
    // A stream that ended (its node reconnects and resyncs every session) takes nothing: counted, never silently.
    if (!this.writable) {
      this.counters.droppedClosed++;
      return false;
    }
    if (this.queued >= this.limits.maxBufferedFrames) {
      this.counters.dropped++;
      // A dropped resync of every session is owed as such: the node is told all its rooms (bounded, however many were dropped).
      if (frame.deliver?.allNodes) this.loseAll();
      else if (frame.deliver?.rooms) this.lose(frame.deliver.rooms);
      return false;
    }
    if (frame.deliver && this.takesBatches) this.enqueue(frame.deliver);
    else this.writeAlways(frame);
    return true;
  }

  /**
   * Small control frames the node must get whatever its queue: bounded per
   * tick (one ack) or per event (a peer's connect, a drained queue). What
   * this turn batched so far goes first.
   */
  writeAlways(frame: GatewayFrame): void {
    if (!this.writable) return;
    this.batch.flush();
    this.call.write(frame, this.onFlushedOne);
    this.written++;
    this.counters.framesOut++;
  }

  /** Frames written toward the node whose write has not flushed yet. */
  private get queued(): number {
    return this.written - this.flushed;
  }

  private get writable(): boolean {
    return !this.closed && !this.call.writableEnded && !this.call.cancelled;
  }

  private onFlushed(frames: number): void {
    this.flushed += frames;
    while (this.flushWaiters.length > 0 && (this.flushWaiters[0]?.mark ?? Infinity) <= this.flushed) this.flushWaiters.shift()?.run();
  }

  /** Held for the end of this turn (FrameBatcher), counted as written now. */
  private enqueue(deliver: Deliver): void {
    this.batch.add(deliver);
    this.written++;
    this.counters.framesOut++;
  }

  private writeBatch(delivers: Deliver[]): void {
    const frames = delivers.length;
    if (!this.writable) {
      this.counters.droppedClosed += frames;
      return;
    }
    const frame: GatewayFrame = frames === 1 ? { deliver: delivers[0] } : { delivers: { delivers } };
    this.call.write(frame, () => this.onFlushed(frames));
  }

  /**
   * Publish `seq` of this stream was routed, with Deliver frames written to
   * `targets`; acknowledged with the others of this tick once those are flushed.
   */
  routed(seq: number, targets: Iterable<NodeSession>): void {
    if (seq <= this.routedSeq) return;
    this.routedSeq = seq;
    for (const target of targets) this.touched.add(target);
    this.ackScheduled ??= setImmediate(() => this.closeBatch());
  }

  /** Writes nothing more (a crash: not even what closing others would release). */
  silence(): void {
    this.closed = true;
  }

  close(): void {
    this.closed = true;
    if (this.ackScheduled) clearImmediate(this.ackScheduled);
    this.ackScheduled = undefined;
    // This turn's Deliver frames never leave: dropped, and counted so.
    this.counters.droppedClosed += this.batch.drop();
    this.touched.clear();
    // Whoever waits on writes that will never flush must not wait forever.
    for (const waiter of this.flushWaiters.splice(0)) waiter.run();
    if (this.drainWait) clearTimeout(this.drainWait);
    this.drainWait = undefined;
    this.lost.clear();
  }

  /** Runs `run` once every write made so far has flushed (at once if none is pending). */
  private whenFlushed(run: () => void): void {
    if (this.closed || this.flushed >= this.written) run();
    else this.flushWaiters.push({ mark: this.written, run });
  }

  private closeBatch(): void {
    this.ackScheduled = undefined;
    if (this.closed) return;
    const batch: AckBatch = { seq: this.routedSeq, done: false };
    this.batches.push(batch);
    const targets = [...this.touched];
    this.touched.clear();
    let left = targets.length + 1;
    const flushedOne = (): void => {
      if (--left > 0) return;
      batch.done = true;
      this.ackDonePrefix();
    };
    for (const target of targets) target.whenFlushed(flushedOne);
    flushedOne();
  }

  /** Cumulative: only up to the first batch still waiting for its frames to flush. */
  private ackDonePrefix(): void {
    let seq = this.ackedSeq;
    while (this.batches.length > 0 && this.batches[0]?.done) seq = this.batches.shift()?.seq ?? seq;
    if (seq <= this.ackedSeq) return;
    this.ackedSeq = seq;
    this.counters.acks++;
    this.writeAlways({ published: { seq } });
  }

  private loseAll(): void {
    this.lostOverflow = true;
    this.awaitRoom();
  }

  private lose(rooms: readonly string[]): void {
    for (const room of rooms) {
      if (this.lost.size >= this.limits.maxLostRooms) {
        this.lostOverflow = true;
        break;
      }
      this.lost.add(room);
    }
    this.awaitRoom();
  }

  /** Once per loss episode: on 'drain', or by polling when the stream owes none (a bound under its high-water mark). */
  private awaitRoom(): void {
    if (this.waitingForDrain || this.closed) return;
    this.waitingForDrain = true;
    if (this.call.writableNeedDrain) {
      this.call.once('drain', () => this.reportLost());
      return;
    }
    const poll = (): void => {
      this.drainWait = undefined;
      if (this.closed) return;
      if (this.queued < this.limits.maxBufferedFrames) this.reportLost();
      else this.drainWait = setTimeout(poll, DRAIN_POLL_MS);
    };
    this.drainWait = setTimeout(poll, DRAIN_POLL_MS);
  }

  /** One RoomsLost per episode, chunked like any relay frame's rooms. */
  private reportLost(): void {
    this.waitingForDrain = false;
    if (this.closed) return;
    const rooms = this.lostOverflow ? [...new Set([...this.lost, ...this.interest()])] : [...this.lost];
    this.lost.clear();
    this.lostOverflow = false;
    for (let i = 0; i < rooms.length; i += RELAY_FRAME_LIMITS.maxRooms) {
      const chunk = rooms.slice(i, i + RELAY_FRAME_LIMITS.maxRooms);
      this.counters.roomsLost += chunk.length;
      this.writeAlways({ lost: { rooms: chunk } });
    }
  }
}
