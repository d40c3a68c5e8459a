import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { AdminCommand } from './generated/parley/relay/v1/AdminCommand';
import type { RelayHandlers } from './generated/parley/relay/v1/Relay';
import { RelayAudiences, StreamAuthenticator, type RelayAuth } from './auth';
import { DeliverRouter } from './deliver-router';
import { InterestTable } from './interest-table';
import { NodeReports, type NodeReport } from './node-reports';
import type { NodeSession } from './node-session';
import { NodeStreams, type NodeRegistry } from './node-streams';
import { definedOnly, silentLogger, type Logger } from '@parley/util';
import type { GatewayOwnFrame, RelayServerEvents, RelayServerOptions, RelayServerStats, RouteTracer } from './relay-server.types';
import { DEFAULT_PROTO_PATH, keepaliveOptions, loadRelayProto } from './proto';

export type { GatewayOwnFrame, RelayServerEvents, RelayServerOptions, RelayServerStats, RouteTrace, RouteTracer } from './relay-server.types';

const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  maxBufferedFrames: 10_000,
  maxLostRooms: 10_000,
  peerUpEveryMs: 1_000,
  keepaliveTimeMs: 10_000,
  keepaliveTimeoutMs: 5_000,
  shutdownGraceMs: 2_000,
  protoPath: DEFAULT_PROTO_PATH,
} as const;

/**
 * The gateway side of the relay: one bidi stream per node, a table of who
 * wants which room, and one Deliver per (publish, interested node).
 *
 * Nothing is dropped silently: each node's publishes are acknowledged once
 * routed (PublishAck, once per tick), so a node re-sends what a crash of
 * this gateway lost; Deliver frames dropped toward a node whose queue is
 * full are reported to it by room once the queue drains (RoomsLost); and a
 * node's stream opening is announced to every other node (PeerUp), so those
 * that published while it was away can replay to it.
 *
 * Each node's stream is NodeStreams', forwarding DeliverRouter's; the ops
 * console's frames (NodeStats in, kept by NodeReports; AdminCommand out)
 * are the only other traffic. This class binds the port and is the face.
 */
export class RelayServer extends EventEmitter<RelayServerEvents> {
  private readonly options: Readonly<Required<Omit<RelayServerOptions, 'logger' | 'auth' | 'advertiseHost' | 'audiences'>>>;
  private readonly advertiseHost: string | undefined;
  private readonly audiences: readonly string[];
  private readonly logger: Logger;
  private readonly auth: RelayAuth;
  private readonly authenticator: StreamAuthenticator;
  private readonly nodes: NodeRegistry;
  private readonly counters: Omit<RelayServerStats, 'rememberedProofs'> = {
    framesIn: 0,
    framesOut: 0,
    publishes: 0,
    delivers: 0,
    dropped: 0,
    droppedClosed: 0,
    roomsLost: 0,
    acks: 0,
    peerUps: 0,
    directed: 0,
    rejected: 0,
    unauthenticated: 0,
    statsReports: 0,
    statsRejected: 0,
    adminCommands: 0,
  };
  private readonly streams: NodeStreams;
  private server: grpc.Server | undefined;
  private boundPort: number;

  constructor(options: RelayServerOptions) {
    super();
    const { logger, auth, advertiseHost, audiences, ...rest } = options;
    this.options = Object.freeze({ ...DEFAULTS, ...definedOnly(rest), gatewayId: options.gatewayId });
    this.logger = logger ?? silentLogger;
    this.auth = auth;
    this.authenticator = new StreamAuthenticator(auth);
    const sessions = new Map<string, NodeSession>();
    const table = new InterestTable();
    this.nodes = { sessions, table, reports: new NodeReports(), router: new DeliverRouter(table, sessions, this.counters) };
    const limits = { maxBufferedFrames: this.options.maxBufferedFrames, maxLostRooms: this.options.maxLostRooms };
    const settings = { gatewayId: this.options.gatewayId, limits, peerUpEveryMs: this.options.peerUpEveryMs };
    this.streams = new NodeStreams(settings, this.nodes, this.authenticator, this.counters, this, this.logger);
    this.advertiseHost = advertiseHost;
    this.audiences = audiences ?? [];
    this.boundPort = this.options.port;
    // Built once now to refuse a name that is not host:port here rather than in start()
    // (any port will do for that: a free one is only known once bound).
    this.audiencesAt(this.boundPort || 1);
  }

  async start(): Promise<{ port: number }> {
    if (this.server) throw new Error('relay server already started');
    const proto = loadRelayProto(this.options.protoPath);
    // A fresh grpc.Server each time: a shut down one cannot bind again.
    const server = new grpc.Server(keepaliveOptions(this.options.keepaliveTimeMs, this.options.keepaliveTimeoutMs));
    const handlers: RelayHandlers = { Connect: (call) => this.streams.accept(call) };
    server.addService(proto.parley.relay.v1.Relay.service, handlers);
    const address = `${this.options.host}:${this.boundPort}`;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(address, this.auth.serverCredentials(), (err, port) => (err ? reject(err) : resolve(port)));
    });
    this.server = server;
    const audiences = this.audiencesAt(this.boundPort);
    this.authenticator.listenAt(audiences);
    const mode = this.auth.insecure ? 'INSECURE (development only)' : [this.auth.tls && 'mTLS', this.auth.secret && 'cluster secret'].filter(Boolean).join(' + ');
    const proofFor = this.auth.secret ? { audiences: audiences.list() } : {};
    this.logger.info({ gatewayId: this.options.gatewayId, host: this.options.host, port: this.boundPort, auth: mode, ...proofFor }, 'relay server listening');
    return { port: this.boundPort };
  }

  /** Ends every stream with UNAVAILABLE (nodes reconnect elsewhere or later) and closes the port. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.streams.closeAll({ code: grpc.status.UNAVAILABLE, details: 'gateway shutting down' });
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, this.options.shutdownGraceMs);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    this.logger.info({ gatewayId: this.options.gatewayId }, 'relay server stopped');
  }

  /**
   * Drops every stream and closes the port at once, with no status, no
   * further acknowledgement and frames still queued lost: what a crashed
   * gateway does (fault tests). `start()` may bind again afterwards.
   */
  kill(): void {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.streams.closeAll();
    server.forceShutdown();
  }

  /** Follow traced publishes (their route line and span), set once by the gateway's composition. */
  traceRoutes(tracer: RouteTracer): void {
    this.nodes.router.traceRoutes(tracer);
  }

  connectedNodes(): string[] {
    return [...this.nodes.sessions.keys()];
  }

  /** Bound and accepting streams (started, not stopped or killed): the gateway's /readyz asks. */
  isListening(): boolean {
    return this.server !== undefined;
  }

  /**
   * The latest NodeStats of every connected node, and of nodes whose stream
   * ended less than a minute ago (`connected: false`).
   */
  nodeReports(): NodeReport[] {
    return this.nodes.reports.list(Date.now());
  }

  /**
   * Writes an operator's command (AdminCommand) to the one connected node
   * named; returns the nodes it was written to (none: no stream here by that
   * id). A tagged target, so no node id (not even `all`) can mean every node:
   * that is broadcastAdmin. Control frames: never dropped for a full queue,
   * and rare (an operator's click).
   */
  sendAdmin(target: { node: string }, command: AdminCommand): string[] {
    const session = this.nodes.sessions.get(target.node);
    return this.writeAdmin(session ? [session] : [], command);
  }

  /** Writes an operator's command to every connected node; returns the nodes written to. */
  broadcastAdmin(command: AdminCommand): string[] {
    return this.writeAdmin([...this.nodes.sessions.values()], command);
  }

  private writeAdmin(targets: readonly NodeSession[], command: AdminCommand): string[] {
    for (const session of targets) {
      session.writeAlways({ admin: command });
      this.counters.adminCommands++;
    }
    return targets.map((session) => session.nodeId);
  }

  /** The rooms a connected node has announced (empty for an unknown node). */
  interestOf(nodeId: string): ReadonlySet<string> {
    return this.nodes.table.roomsOf(nodeId);
  }

  stats(): RelayServerStats {
    return { ...this.counters, rememberedProofs: this.authenticator.rememberedProofs() };
  }

  /**
   * Delivers a frame this gateway originates (not a node's publish) to every
   * connected node with interest in `rooms`, marked `from_gateway` so that
   * nodes can tell it from anything a node could publish. Returns the nodes
   * it was written to; a node whose stream to this gateway is down misses it.
   */
  deliverOwn(frame: GatewayOwnFrame): string[] {
    return this.nodes.router.deliverOwn(frame);
  }

  /** The relay addresses this gateway answers to on `port` (see RelayAudiences). */
  private audiencesAt(port: number): RelayAudiences {
    return new RelayAudiences({ port, bindHost: this.options.host, advertiseHost: this.advertiseHost, extra: this.audiences });
  }
}
