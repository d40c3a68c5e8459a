import * as grpc from '@grpc/grpc-js';
import { backoffDelay, type BackoffOptions, type Logger } from '@parley/util';
import type { StreamCredential } from './auth';
import type { RelayPublish } from './deliver';
import type { AdminCommand__Output } from './generated/parley/relay/v1/AdminCommand';
import type { BarrierConfirmed__Output } from './generated/parley/relay/v1/BarrierConfirmed';
import type { BarrierRouted__Output } from './generated/parley/relay/v1/BarrierRouted';
import type { Deliver__Output } from './generated/parley/relay/v1/Deliver';
import type { GatewayFrame__Output } from './generated/parley/relay/v1/GatewayFrame';
import type { Hello } from './generated/parley/relay/v1/Hello';
import type { NodeFrame } from './generated/parley/relay/v1/NodeFrame';
import type { NodeStats } from './generated/parley/relay/v1/NodeStats';
import type { Publish } from './generated/parley/relay/v1/Publish';
import type { RelayClient as RelayStub } from './generated/parley/relay/v1/Relay';
import { FrameBatcher } from './frame-batch';

export type LinkState = 'idle' | 'connecting' | 'ready' | 'stopped';

export interface LinkSettings {
  backoff: BackoffOptions;
  welcomeTimeoutMs: number;
  maxBufferedFrames: number;
  stopGraceMs: number;
}

/** What a link needs from its owner: a fresh Hello per stream, and where frames go. */
export interface LinkHooks {
  hello(): Hello;
  /** A fresh credential for each stream (the cluster-secret proof is single-use), made for the relay `address` dialed. */
  credential(address: string): StreamCredential;
  onReady(link: GatewayLink): void;
  /** The stream was lost; `unacked` are the publishes the gateway never acknowledged, oldest first. */
  onDown(link: GatewayLink, unacked: RelayPublish[]): void;
  onDeliver(link: GatewayLink, deliver: Deliver__Output): void;
  /** The gateway applied every interest delta up to `ack` on this stream. */
  onApplied(link: GatewayLink, ack: number): void;
  /** The nodes a barrier publish of ours reached, then each node's confirmation. */
  onRouted(link: GatewayLink, routed: BarrierRouted__Output): void;
  onConfirmed(link: GatewayLink, confirmed: BarrierConfirmed__Output): void;
  /** The gateway dropped Deliver frames for these rooms toward this node (RoomsLost). */
  onRoomsLost(link: GatewayLink, rooms: string[]): void;
  /** An operator's command, from a gateway that proved the cluster secret (only after its Welcome). */
  onAdmin(link: GatewayLink, admin: AdminCommand__Output): void;
  /** Another node opened a stream to this gateway (PeerUp). */
  onPeerUp(link: GatewayLink, nodeId: string): void;
  /** The link refused a publish (full) and has since had publishes acknowledged: it may take more. */
  onRoom(link: GatewayLink): void;
  /** A publish was refused because `maxBufferedFrames` publishes wait for their acknowledgement. */
  onUnackedFull(link: GatewayLink): void;
  onFrameIn(): void;
  onFrameOut(): void;
}

type GatewayStream = grpc.ClientDuplexStream<NodeFrame, GatewayFrame__Output>;

/** A publish written on the current stream and not yet acknowledged by the gateway. */
interface Unacked {
  seq: number;
  message: RelayPublish;
}

/**
 * One node's stream to one gateway: opens with Hello, is usable once Welcome
 * arrives, and reopens with jittered exponential backoff whenever it ends,
 * fails, or no Welcome comes in time.
 *
 * Each attempt opens a fresh channel (with its own subchannel): a reused
 * channel keeps its own reconnect backoff, which would stack on ours and
 * keep a node away from a restarted gateway for seconds after it listens.
 *
 * Publishes are numbered per stream (Publish.seq) and kept until the
 * gateway's cumulative PublishAck covers them; those still kept when the
 * stream is lost go back to the owner, which re-sends them elsewhere.
 *
 * To a gateway that takes batches (Welcome.batches), the publishes of one
 * event-loop turn leave as one PublishBatch; any other frame flushes the
 * batch first, so the gateway sees every frame in the order written.
 */
export class GatewayLink {
  private stateValue: LinkState = 'idle';
  private call: GatewayStream | undefined;
  private stub: RelayStub | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private gatewayIdValue: string | undefined;
  private credential: StreamCredential | undefined;
  private streamValue = 0;
  private lastSeq = 0;
  private ackedSeq = 0;
  private unacked: Unacked[] = [];
  /** A publish was refused since the last acknowledgement (see LinkHooks.onRoom). */
  private refused = false;
  /** The gateway takes PublishBatch frames (its Welcome said so). */
  private batches = false;
  /** This turn's publishes, for a gateway that takes batches (they stay in `unacked`: a lost stream hands them back). */
  private readonly batch = new FrameBatcher<Publish>((publishes) => this.writeBatch(publishes));
  /** Frames accepted on the current stream (batched ones when queued), and those whose write has flushed. */
  private written = 0;
  private flushed = 0;

  constructor(
    readonly address: string,
    /** A new stub on a new channel; called once per connection attempt. */
    private readonly connect: () => RelayStub,
    private readonly settings: LinkSettings,
    private readonly hooks: LinkHooks,
    private readonly logger: Logger,
  ) {}

  get state(): LinkState {
    return this.stateValue;
  }

  /** Known once the gateway has welcomed this stream. */
  get gatewayId(): string | undefined {
    return this.gatewayIdValue;
  }

  start(): void {
    if (this.stateValue === 'idle' && !this.call && !this.timer) this.open();
  }

  /** Interest deltas go to any open stream: one still waiting for Welcome already sent a Hello they follow. */
  sendControl(frame: NodeFrame): void {
    if (!this.call) return;
    this.writeNow(frame);
    this.hooks.onFrameOut();
  }

  /**
   * This node's stats, on a welcomed stream with room in its queue (a skipped
   * report is replaced by the next). Counted apart (statsSent), not as a relay
   * frame out: an idle cluster shows no relay traffic.
   */
  sendStats(stats: NodeStats): boolean {
    const call = this.call;
    if (this.stateValue !== 'ready' || !call || this.queued >= this.settings.maxBufferedFrames) return false;
    this.writeNow({ stats });
    return true;
  }

  /** Numbers this link's streams: a seq means something only on the stream it was given on. */
  get stream(): number {
    return this.streamValue;
  }

  /** True while publish `seq` of stream `stream` is written here and not yet acknowledged. */
  inFlight(stream: number, seq: number): boolean {
    return this.stateValue === 'ready' && stream === this.streamValue && seq > this.ackedSeq;
  }

  /** Publishes not yet acknowledged on this stream. */
  get unackedCount(): number {
    return this.unacked.length;
  }

  /**
   * Publishes only through a welcomed stream whose queue is not full; 0 means
   * try another gateway, otherwise the publish's seq on this stream.
   */
  sendPublish(publish: Omit<Publish, 'seq'>, message: RelayPublish): number {
    const call = this.call;
    if (this.stateValue !== 'ready' || !call) return 0;
    if (this.queued >= this.settings.maxBufferedFrames) {
      this.refused = true;
      return 0;
    }
    // As full as a full queue: dropping the oldest from resend protection
    // would make a crash lose them silently. Bounded in frames, not bytes.
    if (this.unacked.length >= this.settings.maxBufferedFrames) {
      this.refused = true;
      this.hooks.onUnackedFull(this);
      return 0;
    }
    // Publish.seq is a uint32 on the wire: a single stream would wrap after 2^32 publishes (known limit, not handled).
    const seq = ++this.lastSeq;
    if (this.batches) {
      this.batch.add({ ...publish, seq });
      this.written++;
    }
    else this.writeNow({ publish: { ...publish, seq } });
    this.hooks.onFrameOut();
    this.unacked.push({ seq, message });
    return seq;
  }

  /** Frames written on the current stream whose write has not flushed yet. */
  private get queued(): number {
    return this.written - this.flushed;
  }

  /** After what this turn batched so far, so every frame keeps its place. */
  private writeNow(frame: NodeFrame): void {
    const call = this.call;
    if (!call) return;
    this.batch.flush();
    this.written++;
    call.write(frame, () => this.onFlushed(call, 1));
  }

  private onFlushed(call: GatewayStream, frames: number): void {
    if (call === this.call) this.flushed += frames;
  }

  private writeBatch(publishes: Publish[]): void {
    const call = this.call;
    if (!call) return;
    const frames = publishes.length;
    call.write(frames === 1 ? { publish: publishes[0] } : { publishes: { publishes } }, () => this.onFlushed(call, frames));
  }

  /** Hands over what the gateway has not acknowledged (the link is being removed); the link keeps none. */
  takeUnacked(): RelayPublish[] {
    const taken = this.unacked.map((u) => u.message);
    this.unacked = [];
    return taken;
  }

  /** Half-closes the stream so the gateway drops our interest at once; cancels if it does not answer in time. */
  async stop(): Promise<void> {
    this.stateValue = 'stopped';
    this.clearTimer();
    // This turn's publishes go out before the stream half-closes.
    this.batch.flush();
    const call = this.call;
    this.call = undefined;
    if (call) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          call.cancel();
          resolve();
        }, this.settings.stopGraceMs);
        call.once('status', () => {
          clearTimeout(force);
          resolve();
        });
        call.end();
      });
    }
    this.stub?.close();
    this.stub = undefined;
  }

  private open(): void {
    this.timer = undefined;
    if (this.stateValue === 'stopped') return;
    this.stub?.close();
    const stub = (this.stub = this.connect());
    // No deadline on the call itself: it lives as long as the node does.
    const credential = this.hooks.credential(this.address);
    const call = stub.Connect(credential.metadata);
    this.call = call;
    this.credential = credential;
    this.stateValue = 'connecting';
    this.gatewayIdValue = undefined;
    this.streamValue++;
    this.lastSeq = 0;
    this.ackedSeq = 0;
    this.unacked = [];
    this.refused = false;
    this.batch.drop();
    this.batches = false;
    this.written = 0;
    this.flushed = 0;
    call.on('data', (frame: GatewayFrame__Output) => {
      if (call === this.call) this.onFrame(frame);
    });
    // Every ending is handled once, from 'status'; the listener keeps errors from throwing.
    call.on('error', () => undefined);
    call.on('status', (status: grpc.StatusObject) => this.onClosed(call, status));
    // A node of this version takes DeliverBatch frames.
    this.writeNow({ hello: { ...this.hooks.hello(), batches: true } });
    this.hooks.onFrameOut();
    this.timer = setTimeout(() => this.onWelcomeTimeout(call), this.settings.welcomeTimeoutMs);
  }

  private onFrame(frame: GatewayFrame__Output): void {
    this.hooks.onFrameIn();
    switch (frame.frame) {
      case 'welcome': {
        if (this.stateValue !== 'connecting') return;
        const gatewayId = frame.welcome?.gatewayId ?? '';
        // A listener that does not hold the cluster secret is not one of our gateways.
        if (!this.credential?.verifyWelcome(gatewayId, frame.welcome?.proof ?? '')) {
          this.logger.error({ gateway: this.address, gatewayId }, 'relay gateway failed to prove the cluster secret; dropping the stream');
          this.call?.cancel();
          return;
        }
        this.clearTimer();
        this.batches = frame.welcome?.batches === true;
        this.stateValue = 'ready';
        this.attempt = 0;
        this.gatewayIdValue = gatewayId;
        this.logger.info({ gateway: this.address, gatewayId: this.gatewayIdValue }, 'relay stream ready');
        this.hooks.onReady(this);
        return;
      }
      case 'deliver':
        // Only from a welcomed stream: a listener that has not proved the secret passes nothing on.
        if (frame.deliver && this.stateValue === 'ready') this.hooks.onDeliver(this, frame.deliver);
        return;
      case 'delivers':
        if (!frame.delivers || this.stateValue !== 'ready') return;
        for (const [i, deliver] of frame.delivers.delivers.entries()) {
          // Counted like that many single frames.
          if (i > 0) this.hooks.onFrameIn();
          this.hooks.onDeliver(this, deliver);
        }
        return;
      case 'admin':
        if (frame.admin && this.stateValue === 'ready') this.hooks.onAdmin(this, frame.admin);
        return;
      case 'applied':
        if (frame.applied) this.hooks.onApplied(this, frame.applied.ack);
        return;
      case 'routed':
        if (frame.routed) this.hooks.onRouted(this, frame.routed);
        return;
      case 'confirmed':
        if (frame.confirmed) this.hooks.onConfirmed(this, frame.confirmed);
        return;
      case 'published':
        if (frame.published) this.acknowledged(frame.published.seq);
        return;
      case 'lost':
        // Only a welcomed stream (the gateway proved itself) may tell us anything.
        if (frame.lost && this.stateValue === 'ready') this.hooks.onRoomsLost(this, frame.lost.rooms);
        return;
      case 'peerUp':
        if (frame.peerUp?.nodeId && this.stateValue === 'ready') this.hooks.onPeerUp(this, frame.peerUp.nodeId);
        return;
      default:
        // A newer gateway may send frames this node does not know: ignore them.
        return;
    }
  }

  /** Cumulative: every publish up to `seq` was routed. */
  private acknowledged(seq: number): void {
    if (seq <= this.ackedSeq || seq > this.lastSeq) return;
    this.ackedSeq = seq;
    let done = 0;
    while (done < this.unacked.length && (this.unacked[done]?.seq ?? Infinity) <= seq) done++;
    this.unacked.splice(0, done);
    if (!this.refused) return;
    this.refused = false;
    this.hooks.onRoom(this);
  }

  private onWelcomeTimeout(call: GatewayStream): void {
    if (call !== this.call) return;
    this.logger.warn({ gateway: this.address, timeoutMs: this.settings.welcomeTimeoutMs }, 'no relay welcome in time; reconnecting');
    this.call = undefined;
    this.timer = undefined;
    call.cancel();
    this.scheduleReconnect();
  }

  private onClosed(call: GatewayStream, status: grpc.StatusObject): void {
    if (call !== this.call) return;
    this.call = undefined;
    this.batch.drop();
    this.clearTimer();
    const wasReady = this.stateValue === 'ready';
    this.logger.warn({ gateway: this.address, code: grpc.status[status.code], details: status.details }, 'relay stream closed');
    if (wasReady) {
      this.stateValue = 'idle';
      this.hooks.onDown(this, this.takeUnacked());
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stateValue === 'stopped') return;
    this.stateValue = 'idle';
    const delay = backoffDelay(this.attempt++, this.settings.backoff);
    this.timer = setTimeout(() => this.open(), delay);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
