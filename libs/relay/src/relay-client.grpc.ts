import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { RoomName } from '@parley/protocol';
import { streamCredential, type RelayAuth } from './auth';
import { BarrierTracker } from './barrier-tracker';
import type { Deliver, RelayPublish } from './deliver';
import { AdminInbox } from './admin-inbox';
import { DeliveryInbox } from './delivery-inbox';
import { GatewayLink, type LinkHooks, type LinkSettings } from './gateway-link.grpc';
import { InterestAnnouncer } from './interest-announcer';
import { DEFAULT_STATS_INTERVAL_MS } from './node-stats';
import { definedOnly, silentLogger, type BackoffOptions, type Logger } from '@parley/util';
import { DEFAULT_PROTO_PATH, keepaliveOptions, loadRelayProto } from './proto';
import { PublishSender } from './publish-sender';
import { SeenFrames } from './seen-frames';
import { StatsReporter, type NodeStatsProvider } from './stats-reporter';
import type { AdminCommandHandler, BarrierOutcome, ConnectedGateway, RelayClientEvents, RelayClientOptions, RelayClientStats } from './relay-client.types';

export type { AdminCommandHandler } from './relay-client.types';
export type { BarrierOutcome, ConnectedGateway, RelayClientEvents, RelayClientOptions, RelayClientStats } from './relay-client.types';

/**
 * Reconnect backoff of a gateway stream: 100 ms doubling to 1 s, jittered.
 * The cap is what brings a node back within about a second of a restarted
 * gateway listening (measured before: up to 8 s of stacked backoff).
 */
export const RELAY_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ initialMs: 100, maxMs: 1_000 });

const DEFAULTS = {
  welcomeTimeoutMs: 5_000,
  keepaliveTimeMs: 10_000,
  keepaliveTimeoutMs: 5_000,
  maxBufferedFrames: 10_000,
  stopGraceMs: 1_000,
  seenFrames: 20_000,
  statsIntervalMs: DEFAULT_STATS_INTERVAL_MS,
  protoPath: DEFAULT_PROTO_PATH,
} as const;

/**
 * The node side of the relay. Keeps one stream to every gateway (any gateway
 * may need to reach this node), announces the node's interest set on each
 * (re)connect and deltas afterwards, and publishes each frame through ONE
 * ready gateway (every gateway knows every node): the one rendezvous hashing
 * picks for the frame's route key (see publish-route.ts), so the frames of
 * one room set keep their order on one path while the load spreads over the
 * gateways; the next one in rendezvous order when it is not ready or full.
 * A key stays on its gateway while its last publish there is unacknowledged,
 * so a gateway coming back does not let a key's next frame overtake it.
 *
 * No loss on a gateway crash: each stream's publishes stay kept until the
 * gateway acknowledges them (PublishAck); when a stream is lost, or its
 * gateway removed, they are sent again at once through the other ready
 * gateways, in order, before anything newer. Receivers drop frames they
 * have already applied (by origin, event and message id).
 *
 * Publishes are sent by PublishSender, interest kept and announced by
 * InterestAnnouncer, relayed frames go to the node through DeliveryInbox;
 * the ops console's frames (NodeStats out, AdminCommand in) through
 * StatsReporter and AdminInbox.
 *
 * A publish with no ready gateway is refused (`publish` returns false), and
 * unacknowledged ones no gateway can take are handed back
 * ('publish:stranded'): the caller's outbox decides what to keep.
 */
export class RelayClient extends EventEmitter<RelayClientEvents> {
  private readonly nodeId: string;
  private readonly logger: Logger;
  private readonly settings: LinkSettings;
  private readonly channelOptions: grpc.ChannelOptions;
  private readonly protoPath: string;
  private readonly links = new Map<string, GatewayLink>();
  private readonly interest = new InterestAnnouncer<GatewayLink>(() => this.links.values());
  private started = false;
  private readonly counters: RelayClientStats = {
    framesIn: 0,
    framesOut: 0,
    published: 0,
    publishDropped: 0,
    resent: 0,
    stranded: 0,
    replayed: 0,
    delivered: 0,
    ignored: 0,
    deduplicated: 0,
    roomsLost: 0,
    unackedFull: 0,
    statsSent: 0,
    adminCommands: 0,
  };
  private readonly deliveries: DeliveryInbox;
  private readonly reporter: StatsReporter<GatewayLink>;
  private readonly admin: AdminInbox;
  private readonly hooks: LinkHooks;
  private readonly auth: RelayAuth;
  private readonly barriers = new BarrierTracker();
  private readonly publisher: PublishSender;

  constructor(private readonly options: RelayClientOptions) {
    super();
    const o = { ...DEFAULTS, ...definedOnly(options) };
    this.nodeId = options.nodeId;
    this.auth = options.auth;
    this.logger = options.logger ?? silentLogger;
    this.protoPath = o.protoPath;
    const seen = new SeenFrames(o.seenFrames);
    this.deliveries = new DeliveryInbox(options.onDeliver ?? (() => undefined), (room) => this.interest.has(room), seen, this.counters, this.logger);
    const statsContext = {
      gateways: () => this.connectedGateways().map((g) => g.gatewayId).filter((id) => id.length > 0),
      framesIn: () => this.counters.framesIn,
      framesOut: () => this.counters.framesOut,
    };
    this.reporter = new StatsReporter(o.statsIntervalMs, statsContext, this.counters, this.logger, options.nodeStats);
    // emit answers whether anyone listened: without a listener, stranded frames are dropped.
    this.publisher = new PublishSender(this.links, this.counters, this.logger, (frames) => this.emit('publish:stranded', frames));
    this.admin = new AdminInbox(options.onAdminCommand ?? (() => undefined), this.counters, this.logger);
    const backoff = o.backoff ?? RELAY_BACKOFF;
    this.settings = Object.freeze({
      backoff,
      welcomeTimeoutMs: o.welcomeTimeoutMs,
      maxBufferedFrames: o.maxBufferedFrames,
      stopGraceMs: o.stopGraceMs,
    });
    this.channelOptions = {
      ...keepaliveOptions(o.keepaliveTimeMs, o.keepaliveTimeoutMs),
      // Each attempt gets a fresh channel AND subchannel (the global pool would
      // hand back one still in its backoff), so only our backoff applies; the
      // channel's own is capped the same in case it ever retries by itself.
      'grpc.use_local_subchannel_pool': 1,
      'grpc.initial_reconnect_backoff_ms': backoff.initialMs,
      'grpc.max_reconnect_backoff_ms': backoff.maxMs,
    };
    this.hooks = {
      hello: () => ({ nodeId: this.nodeId, rooms: [...this.interest.rooms()] }),
      credential: (address) => streamCredential(this.auth, this.nodeId, address),
      onReady: (link) => {
        // A fresh stream reports at once: the fleet view need not wait an interval.
        this.reporter.ready(link);
        this.emit('gateway:ready', link.address, link.gatewayId ?? '');
      },
      onAdmin: (link, admin) => this.admin.receive(admin, link.gatewayId ?? ''),
      onDown: (link, unacked) => this.linkLost(link, unacked, true),
      onDeliver: (link, deliver) => this.deliveries.receive(link, deliver),
      onApplied: (link, ack) => this.interest.applied(link, ack),
      onRouted: (link, routed) => this.barriers.routed(link, routed.barrier, routed.nodes),
      onConfirmed: (link, confirmed) => this.barriers.confirmed(link, confirmed.barrier, confirmed.nodeId),
      onRoomsLost: (_link, rooms) => this.roomsLost(rooms),
      onPeerUp: (link, nodeId) => {
        if (nodeId !== this.nodeId) this.emit('peer:up', nodeId, link.address);
      },
      onRoom: (link) => this.emit('publish:room', link.address),
      onUnackedFull: () => void this.counters.unackedFull++,
      onFrameIn: () => void this.counters.framesIn++,
      onFrameOut: () => void this.counters.framesOut++,
    };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.setGateways(this.options.gateways);
  }

  /** Closes every stream; gateways drop this node's interest at once. */
  async stop(): Promise<void> {
    this.started = false;
    this.reporter.stop();
    this.interest.clear();
    this.barriers.clear();
    this.publisher.clear();
    const links = [...this.links.values()];
    this.links.clear();
    await Promise.all(links.map((link) => link.stop()));
  }

  /**
   * Follows a changing gateway list: opens streams to new addresses, closes
   * removed ones (what a removed one has not acknowledged is sent again
   * through the others; a receiver drops any second copy).
   */
  setGateways(addresses: readonly string[]): void {
    const wanted = new Set(addresses);
    for (const [address, link] of this.links) {
      if (wanted.has(address)) continue;
      this.links.delete(address);
      const wasReady = link.state === 'ready';
      const unacked = link.takeUnacked();
      void link.stop();
      this.linkLost(link, unacked, wasReady);
    }
    if (!this.started) return;
    const proto = loadRelayProto(this.protoPath);
    for (const address of wanted) {
      if (this.links.has(address)) continue;
      const connect = () => new proto.parley.relay.v1.Relay(address, this.auth.channelCredentials(), this.channelOptions);
      const link = new GatewayLink(address, connect, this.settings, this.hooks, this.logger);
      this.links.set(address, link);
      link.start();
    }
  }

  /** Declares whether this node has local sockets in `room` (see InterestAnnouncer). */
  setInterest(room: RoomName, interested: boolean): void {
    this.interest.set(room, interested, this.links.size > 0);
  }

  /**
   * Sends interest changes now and resolves once every ready gateway has
   * applied them (and all earlier ones), or after `timeoutMs`. A node awaits
   * this before a new session's handshake completes, so a publish to the
   * session's rooms cannot reach a gateway that does not yet route to it.
   */
  announce(timeoutMs = 250): Promise<void> {
    return this.interest.announce(timeoutMs);
  }

  hasInterest(room: RoomName): boolean {
    return this.interest.has(room);
  }

  interestSet(): ReadonlySet<RoomName> {
    return this.interest.rooms();
  }

  /**
   * Hands the event to one ready gateway (see class note), which forwards it
   * to every other interested node. The origin node delivers to its own
   * sockets itself. `via` (a gateway address) is tried first: a replay goes
   * through the gateway that announced the late node. Returns false when no
   * gateway could take it.
   */
  publish(message: RelayPublish, via?: string): boolean {
    return this.publisher.send(message, 0, via) !== undefined;
  }

  /**
   * Publishes as a barrier: 'confirmed' once every node the frame reached
   * has applied it (see Publish.barrier in relay.proto); 'unsent' when no
   * gateway took it; 'unconfirmed' when the stream was lost or `timeoutMs`
   * passed first.
   */
  async publishConfirmed(message: RelayPublish, timeoutMs: number): Promise<BarrierOutcome> {
    const barrier = this.barriers.nextId();
    const link = this.publisher.send(message, barrier);
    if (!link) return 'unsent';
    return (await this.barriers.wait(barrier, link, timeoutMs)) ? 'confirmed' : 'unconfirmed';
  }

  /** What this node reports of itself every `statsIntervalMs` on each ready stream (NodeStats), set once the node exists. */
  reportStats(provider: NodeStatsProvider): void {
    this.reporter.setProvider(provider);
  }

  /** Reports now on every ready stream, not at the next interval (the node's state changed: it started draining). */
  reportStatsNow(): void {
    this.reporter.reportNow();
  }

  /** Where operators' commands go (AdminCommand, only from gateways that proved the cluster secret), set once the node exists. */
  handleAdminCommands(handler: AdminCommandHandler): void {
    this.admin.setHandler(handler);
  }

  /** Where relayed frames go, set once the receiver exists (it usually needs this client first). */
  handleDeliveries(handler: (deliver: Deliver) => void): void {
    this.deliveries.setHandler(handler);
  }

  /** Only rooms this node still wants, and valid ones: a gateway's report triggers a sync, nothing more. */
  private roomsLost(rooms: readonly string[]): void {
    const ours = rooms.filter((room): room is RoomName => this.interest.has(room));
    this.counters.roomsLost += ours.length;
    if (ours.length === 0) return;
    this.logger.warn({ rooms: ours.length }, 'a relay gateway dropped frames toward this node (its queue was full); sessions in those rooms will sync');
    this.emit('rooms:lost', ours);
  }

  connectedGateways(): ConnectedGateway[] {
    const ready: ConnectedGateway[] = [];
    for (const link of this.links.values()) {
      if (link.state === 'ready') ready.push({ address: link.address, gatewayId: link.gatewayId ?? '' });
    }
    return ready;
  }

  stats(): RelayClientStats {
    return { ...this.counters };
  }

  /**
   * A stream lost, or its gateway removed: nothing waits on it any more, and
   * what it had not acknowledged is sent again before anyone is told (nothing
   * newer may be published ahead of it).
   */
  private linkLost(link: GatewayLink, unacked: readonly RelayPublish[], wasReady: boolean): void {
    this.reporter.down(link);
    if (wasReady) {
      this.interest.linkLost(link);
      this.barriers.linkDown(link);
    }
    this.publisher.resend(unacked, link.address);
    if (wasReady) this.emit('gateway:down', link.address);
  }
}
