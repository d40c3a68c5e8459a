import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { RoomName } from '@parley/protocol';
import { streamCredential, type RelayAuth } from './auth';
import { BarrierTracker } from './barrier-tracker';
import type { Deliver, RelayPublish } from './deliver';
import { GatewayLink, type LinkHooks, type LinkSettings } from './gateway-link.grpc';
import type { Deliver__Output } from './generated/parley/relay/v1/Deliver';
import { DEFAULT_BACKOFF, definedOnly, silentLogger, type BackoffOptions, type Logger } from '@parley/util';
import { DEFAULT_PROTO_PATH, keepaliveOptions, loadRelayProto } from './proto';

export interface RelayClientOptions {
  /** This node's id; one stream per gateway is kept under it. */
  nodeId: string;
  /** How this node proves itself to gateways (and checks that they are ours). */
  auth: RelayAuth;
  /** Gateway relay addresses, `host:port`. */
  gateways: readonly string[];
  /** Called once per relayed frame; the caller emits to `rooms` locally. Must not throw. Or set later with handleDeliveries. */
  onDeliver?: (deliver: Deliver) => void;
  logger?: Logger;
  /** Reconnect backoff of each gateway stream. @default DEFAULT_BACKOFF (100 ms doubling to 5 s) */
  backoff?: BackoffOptions;
  /** A stream with no Welcome after this long is dropped and retried. @default 5_000 */
  welcomeTimeoutMs?: number;
  /** @default 10_000 */
  keepaliveTimeMs?: number;
  /** @default 5_000 */
  keepaliveTimeoutMs?: number;
  /** Frames queued on one stream beyond which a publish tries another gateway, or is dropped. @default 10_000 */
  maxBufferedFrames?: number;
  /** How long `stop()` waits for each gateway to close the stream. @default 1_000 */
  stopGraceMs?: number;
  /** @default proto/relay.proto at the repo root */
  protoPath?: string;
}

export interface RelayClientStats {
  framesIn: number;
  framesOut: number;
  published: number;
  /** Publishes refused because no gateway stream was ready (or all were full). */
  publishDropped: number;
  delivered: number;
  /** Deliver frames for rooms this node no longer has interest in. */
  ignored: number;
}

export interface RelayClientEvents {
  'gateway:ready': [address: string, gatewayId: string];
  'gateway:down': [address: string];
}

export type BarrierOutcome = 'confirmed' | 'unconfirmed' | 'unsent';

export interface ConnectedGateway {
  address: string;
  gatewayId: string;
}

const DEFAULTS = {
  welcomeTimeoutMs: 5_000,
  keepaliveTimeMs: 10_000,
  keepaliveTimeoutMs: 5_000,
  maxBufferedFrames: 10_000,
  stopGraceMs: 1_000,
  protoPath: DEFAULT_PROTO_PATH,
} as const;

/**
 * The node side of the relay. Keeps one stream to every gateway (any gateway
 * may need to reach this node), announces the node's interest set on each
 * (re)connect and deltas afterwards, and publishes through one gateway at a
 * time, since every gateway knows every node.
 *
 * Interest is not reference-counted here: the socket layer calls
 * `setInterest(room, true)` when a room gains its first local socket and
 * `setInterest(room, false)` when it loses its last one.
 *
 * A publish with no ready gateway is dropped (`publish` returns false), not
 * queued: delivery is a fast path, clients resync from the store on
 * reconnect or seq gap, and a queue would replay stale events in a burst
 * after an outage while holding memory during it.
 */
export class RelayClient extends EventEmitter<RelayClientEvents> {
  private readonly nodeId: string;
  private onDeliver: (deliver: Deliver) => void;
  private readonly logger: Logger;
  private readonly settings: LinkSettings;
  private readonly channelOptions: grpc.ChannelOptions;
  private readonly protoPath: string;
  private readonly links = new Map<string, GatewayLink>();
  private readonly interest = new Set<RoomName>();
  /** Rooms changed since the last delta; their current state is sent on flush. */
  private readonly pending = new Set<RoomName>();
  private flushHandle: NodeJS.Immediate | undefined;
  private lastAck = 0;
  /** announce() calls waiting for gateways to confirm: ack id -> links still to confirm. */
  private readonly confirmations = new Map<number, { links: Set<GatewayLink>; done: () => void }>();
  private started = false;
  private readonly counters: RelayClientStats = { framesIn: 0, framesOut: 0, published: 0, publishDropped: 0, delivered: 0, ignored: 0 };
  private readonly hooks: LinkHooks;
  private readonly auth: RelayAuth;
  private readonly barriers = new BarrierTracker();

  constructor(private readonly options: RelayClientOptions) {
    super();
    const o = { ...DEFAULTS, ...definedOnly(options) };
    this.nodeId = options.nodeId;
    this.auth = options.auth;
    this.onDeliver = options.onDeliver ?? (() => undefined);
    this.logger = options.logger ?? silentLogger;
    this.protoPath = o.protoPath;
    this.settings = Object.freeze({
      backoff: o.backoff ?? DEFAULT_BACKOFF,
      welcomeTimeoutMs: o.welcomeTimeoutMs,
      maxBufferedFrames: o.maxBufferedFrames,
      stopGraceMs: o.stopGraceMs,
    });
    this.channelOptions = {
      ...keepaliveOptions(o.keepaliveTimeMs, o.keepaliveTimeoutMs),
      // Align the channel's own reconnect backoff with ours (its default cap is 120 s).
      'grpc.initial_reconnect_backoff_ms': (o.backoff ?? DEFAULT_BACKOFF).initialMs,
      'grpc.max_reconnect_backoff_ms': (o.backoff ?? DEFAULT_BACKOFF).maxMs,
    };
    this.hooks = {
      hello: () => ({ nodeId: this.nodeId, rooms: [...this.interest] }),
      credential: () => streamCredential(this.auth, this.nodeId),
      onReady: (link) => this.emit('gateway:ready', link.address, link.gatewayId ?? ''),
      onDown: (link) => {
        this.confirm(link, Number.MAX_SAFE_INTEGER); // a lost stream confirms nothing, but must not be waited for
        this.barriers.linkDown(link);
        this.emit('gateway:down', link.address);
      },
      onDeliver: (link, deliver) => this.handleDeliver(link, deliver),
      onApplied: (link, ack) => this.confirm(link, ack),
      onRouted: (link, routed) => this.barriers.routed(link, routed.barrier, routed.nodes),
      onConfirmed: (link, confirmed) => this.barriers.confirmed(link, confirmed.barrier, confirmed.nodeId),
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
    if (this.flushHandle) clearImmediate(this.flushHandle);
    this.flushHandle = undefined;
    this.pending.clear();
    this.barriers.clear();
    const links = [...this.links.values()];
    this.links.clear();
    await Promise.all(links.map((link) => link.stop()));
  }

  /** Follows a changing gateway list: opens streams to new addresses, closes removed ones. */
  setGateways(addresses: readonly string[]): void {
    const wanted = new Set(addresses);
    for (const [address, link] of this.links) {
      if (wanted.has(address)) continue;
      this.links.delete(address);
      void link.stop();
    }
    if (!this.started) return;
    const proto = loadRelayProto(this.protoPath);
    for (const address of wanted) {
      if (this.links.has(address)) continue;
      const stub = new proto.parley.relay.v1.Relay(address, this.auth.channelCredentials(), this.channelOptions);
      const link = new GatewayLink(address, stub, this.settings, this.hooks, this.logger);
      this.links.set(address, link);
      link.start();
    }
  }

  /** Declares whether this node has local sockets in `room`; gateways learn it on the next tick. */
  setInterest(room: RoomName, interested: boolean): void {
    if (interested === this.interest.has(room)) return;
    if (interested) this.interest.add(room);
    else this.interest.delete(room);
    // No stream yet: the Hello of each future stream carries the full set.
    if (this.links.size === 0) return;
    this.pending.add(room);
    // Coalesce a burst (a reconnect storm joins many rooms) into one delta frame.
    this.flushHandle ??= setImmediate(() => this.flushDeltas());
  }

  /**
   * Sends interest changes now and resolves once every ready gateway has
   * applied them (and all earlier ones), or after `timeoutMs`. A node awaits
   * this before a new session's handshake completes, so a publish to the
   * session's rooms cannot reach a gateway that does not yet route to it.
   */
  announce(timeoutMs = 250): Promise<void> {
    if (this.flushHandle) clearImmediate(this.flushHandle);
    this.flushHandle = undefined;
    const { add, remove } = this.takePending();
    const ready = [...this.links.values()].filter((link) => link.state === 'ready');
    const ack = (this.lastAck = (this.lastAck % 0xffff_fffe) + 1);
    for (const link of this.links.values()) link.sendControl({ delta: { add, remove, ack } });
    if (ready.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.confirmations.delete(ack);
        resolve();
      };
      this.confirmations.set(ack, { links: new Set(ready), done });
    });
  }

  hasInterest(room: RoomName): boolean {
    return this.interest.has(room);
  }

  interestSet(): ReadonlySet<RoomName> {
    return this.interest;
  }

  /**
   * Hands the event to the first ready gateway, which forwards it to
   * every other interested node. The origin node delivers to its own sockets
   * itself. Returns false when no gateway could take it (see class note).
   */
  publish(message: RelayPublish): boolean {
    return this.send(message, 0) !== undefined;
  }

  /**
   * Publishes as a barrier: 'confirmed' once every node the frame reached
   * has applied it (see Publish.barrier in relay.proto); 'unsent' when no
   * gateway took it; 'unconfirmed' when the stream was lost or `timeoutMs`
   * passed first.
   */
  async publishConfirmed(message: RelayPublish, timeoutMs: number): Promise<BarrierOutcome> {
    const barrier = this.barriers.nextId();
    const link = this.send(message, barrier);
    if (!link) return 'unsent';
    return (await this.barriers.wait(barrier, link, timeoutMs)) ? 'confirmed' : 'unconfirmed';
  }

  /** Where relayed frames go, set once the receiver exists (it usually needs this client first). */
  handleDeliveries(handler: (deliver: Deliver) => void): void {
    this.onDeliver = handler;
  }

  /** The link that took the frame, or undefined when none could. */
  private send(message: RelayPublish, barrier: number): GatewayLink | undefined {
    const frame = {
      publish: {
        rooms: [...message.rooms],
        event: message.event,
        payload: message.payload,
        messageId: message.messageId,
        grantRoom: message.grantRoom ?? '',
        barrier,
      },
    };
    // Always the first gateway that takes it, in configured order: one path
    // keeps this node's publishes in order and lets a granted room (see
    // relay.proto) be known where the following publishes go.
    for (const link of this.links.values()) {
      if (link.sendPublish(frame)) {
        this.counters.published++;
        return link;
      }
    }
    this.counters.publishDropped++;
    this.logger.debug({ messageId: message.messageId }, 'no relay gateway ready; publish dropped');
    return undefined;
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

  private flushDeltas(): void {
    this.flushHandle = undefined;
    const { add, remove } = this.takePending();
    if (add.length === 0 && remove.length === 0) return;
    // Streams opened since the change already carried it in their Hello; repeating it is harmless.
    for (const link of this.links.values()) link.sendControl({ delta: { add, remove } });
  }

  private takePending(): { add: string[]; remove: string[] } {
    const add: string[] = [];
    const remove: string[] = [];
    for (const room of this.pending) (this.interest.has(room) ? add : remove).push(room);
    this.pending.clear();
    return { add, remove };
  }

  /** Deltas are applied in stream order: an ack confirms every earlier one on that link. */
  private confirm(link: GatewayLink, ack: number): void {
    for (const [id, waiting] of this.confirmations) {
      if (id > ack) continue;
      waiting.links.delete(link);
      if (waiting.links.size === 0) waiting.done();
    }
  }

  private handleDeliver(link: GatewayLink, deliver: Deliver__Output): void {
    // Emit only to rooms we announced: the gateway's view may lag a removal by a frame.
    const rooms = deliver.rooms.filter((room): room is RoomName => (this.interest as ReadonlySet<string>).has(room));
    // The gateway thinks we want rooms we don't (a grant for sessions that
    // have left since): tell it, so it stops sending them. Idempotent.
    if (rooms.length < deliver.rooms.length) {
      const stale = deliver.rooms.filter((room) => !(this.interest as ReadonlySet<string>).has(room));
      link.sendControl({ delta: { add: [], remove: stale } });
    }
    // A barrier is answered once applied; with nothing to apply here, at once.
    const done = deliver.barrier
      ? () => link.sendControl({ barrierDone: { originNode: deliver.originNode, barrier: deliver.barrier } })
      : undefined;
    if (rooms.length === 0) {
      this.counters.ignored++;
      done?.();
      return;
    }
    this.counters.delivered++;
    try {
      this.onDeliver({
        rooms,
        event: deliver.event,
        payload: deliver.payload,
        messageId: deliver.messageId,
        originNode: deliver.originNode,
        gatewayId: link.gatewayId ?? '',
        fromGateway: deliver.fromGateway,
        done,
      });
    } catch (err) {
      this.logger.error({ err, messageId: deliver.messageId }, 'relay onDeliver threw');
    }
  }
}
