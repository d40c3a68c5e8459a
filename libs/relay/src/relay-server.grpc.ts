import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { AdminCommand } from './generated/parley/relay/v1/AdminCommand';
import type { Hello__Output } from './generated/parley/relay/v1/Hello';
import type { NodeFrame__Output } from './generated/parley/relay/v1/NodeFrame';
import type { RelayHandlers } from './generated/parley/relay/v1/Relay';
import { OncePerPeer, RelayAudiences, StreamAuthenticator, type RelayAuth, type StreamIdentity } from './auth';
import { DeliverRouter } from './deliver-router';
import { cleanRooms, InterestTable } from './interest-table';
import { NodeReports, type NodeReport } from './node-reports';
import { NodeSession, type NodeStream } from './node-session';
import { definedOnly, silentLogger, type Logger } from '@parley/util';
import { PeerUpPacer } from './peer-up-pacer';
import type { GatewayOwnFrame, RelayServerEvents, RelayServerOptions, RelayServerStats, RouteTracer } from './relay-server.types';
import { DEFAULT_PROTO_PATH, keepaliveOptions, loadRelayProto } from './proto';

export type { GatewayOwnFrame, RelayServerEvents, RelayServerOptions, RelayServerStats, RouteTrace, RouteTracer } from './relay-server.types';

type Session = NodeSession;

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
 * Forwarding is DeliverRouter's; the ops console's frames (NodeStats in,
 * kept by NodeReports; AdminCommand out) are the only other traffic.
 */
export class RelayServer extends EventEmitter<RelayServerEvents> {
  private readonly options: Readonly<Required<Omit<RelayServerOptions, 'logger' | 'auth' | 'advertiseHost' | 'audiences'>>>;
  private readonly advertiseHost: string | undefined;
  private readonly audiences: readonly string[];
  private readonly logger: Logger;
  private readonly auth: RelayAuth;
  private readonly authenticator: StreamAuthenticator;
  private readonly refusedPeers = new OncePerPeer();
  private readonly table = new InterestTable();
  private readonly sessions = new Map<string, Session>();
  private readonly counters: Omit<RelayServerStats, 'rememberedProofs'> = {
    framesIn: 0,
    framesOut: 0,
    publishes: 0,
    delivers: 0,
    dropped: 0,
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
  /** The latest NodeStats of each node (the ops console's fleet view). */
  private readonly reports = new NodeReports();
  private server: grpc.Server | undefined;
  private boundPort: number;
  private readonly peerUps: PeerUpPacer;
  private readonly router = new DeliverRouter(this.table, this.sessions, this.counters);

  constructor(options: RelayServerOptions) {
    super();
    const { logger, auth, advertiseHost, audiences, ...rest } = options;
    this.options = Object.freeze({ ...DEFAULTS, ...definedOnly(rest), gatewayId: options.gatewayId });
    this.peerUps = new PeerUpPacer(this.options.peerUpEveryMs, (nodeId) => this.sendPeerUp(nodeId), (nodeId) => this.sessions.has(nodeId));
    this.logger = logger ?? silentLogger;
    this.auth = auth;
    this.authenticator = new StreamAuthenticator(auth);
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
    const handlers: RelayHandlers = { Connect: (call) => this.handleStream(call) };
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
    for (const session of this.sessions.values()) {
      session.close();
      fail(session.call, grpc.status.UNAVAILABLE, 'gateway shutting down');
    }
    this.sessions.clear();
    this.table.clear();
    this.peerUps.clear();
    this.reports.clear();
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
    for (const session of this.sessions.values()) session.silence();
    for (const session of this.sessions.values()) session.close();
    this.sessions.clear();
    this.table.clear();
    this.peerUps.clear();
    this.reports.clear();
    server.forceShutdown();
  }

  /** Follow traced publishes (their route line and span), set once by the gateway's composition. */
  traceRoutes(tracer: RouteTracer): void {
    this.router.traceRoutes(tracer);
  }

  connectedNodes(): string[] {
    return [...this.sessions.keys()];
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
    return this.reports.list(Date.now());
  }

  /**
   * Writes an operator's command (AdminCommand) to the one connected node
   * named; returns the nodes it was written to (none: no stream here by that
   * id). A tagged target, so no node id (not even `all`) can mean every node:
   * that is broadcastAdmin. Control frames: never dropped for a full queue,
   * and rare (an operator's click).
   */
  sendAdmin(target: { node: string }, command: AdminCommand): string[] {
    const session = this.sessions.get(target.node);
    return this.writeAdmin(session ? [session] : [], command);
  }

  /** Writes an operator's command to every connected node; returns the nodes written to. */
  broadcastAdmin(command: AdminCommand): string[] {
    return this.writeAdmin([...this.sessions.values()], command);
  }

  private writeAdmin(targets: readonly Session[], command: AdminCommand): string[] {
    for (const session of targets) {
      session.writeAlways({ admin: command });
      this.counters.adminCommands++;
    }
    return targets.map((session) => session.nodeId);
  }

  /** The rooms a connected node has announced (empty for an unknown node). */
  interestOf(nodeId: string): ReadonlySet<string> {
    return this.table.roomsOf(nodeId);
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
    return this.router.deliverOwn(frame);
  }

  /** The relay addresses this gateway answers to on `port` (see RelayAudiences). */
  private audiencesAt(port: number): RelayAudiences {
    return new RelayAudiences({ port, bindHost: this.options.host, advertiseHost: this.advertiseHost, extra: this.audiences });
  }

  private handleStream(call: NodeStream): void {
    const check = this.authenticator.authenticate(call);
    if (!check.ok) {
      this.refuse(call, check.reason);
      return;
    }
    const identity = check.identity;
    let session: Session | undefined;
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      if (session) this.closeSession(session);
    };

    call.on('data', (frame: NodeFrame__Output) => {
      if (closed) return;
      // NodeStats are counted apart (statsReports, statsRejected): an idle cluster shows no relay traffic.
      if (frame.frame !== 'stats') this.counters.framesIn++;
      if (!session) {
        if (frame.frame !== 'hello' || !frame.hello?.nodeId) {
          this.reject(call, 'the first frame must be hello with a node_id');
          close();
          return;
        }
        // The credential names the node; Hello may only repeat it.
        if (identity.nodeId !== undefined && frame.hello.nodeId !== identity.nodeId) {
          this.reject(call, 'hello node_id is not the node its credential proves', grpc.status.PERMISSION_DENIED);
          close();
          return;
        }
        session = this.openSession(call, frame.hello, identity);
        return;
      }
      if (!this.handleFrame(session, frame)) close();
    });
    // The node half-closed: finish our side cleanly.
    call.on('end', () => {
      close();
      call.end();
    });
    call.on('cancelled', close);
    call.on('close', close);
    call.on('error', (err) => {
      this.logger.debug({ err, nodeId: session?.nodeId }, 'relay stream error');
      close();
    });
  }

  /** Returns false when the frame ended the stream. */
  private handleFrame(session: Session, frame: NodeFrame__Output): boolean {
    switch (frame.frame) {
      case 'hello': {
        // A second Hello on the same stream is a full resync, not a new identity.
        if (!frame.hello || frame.hello.nodeId !== session.nodeId) {
          this.reject(session.call, 'hello cannot change the node_id of a stream');
          return false;
        }
        this.table.replace(session.nodeId, cleanRooms(frame.hello.rooms));
        this.emit('interest', session.nodeId);
        return true;
      }
      case 'delta': {
        const delta = frame.delta;
        if (delta) this.table.apply(session.nodeId, cleanRooms(delta.add), cleanRooms(delta.remove));
        if (delta?.ack) session.writeAlways({ applied: { ack: delta.ack } });
        this.emit('interest', session.nodeId);
        return true;
      }
      case 'publish': {
        if (frame.publish) this.emit('publish', session.nodeId, this.router.route(session, frame.publish));
        return true;
      }
      case 'barrierDone': {
        // Forwarded to the origin, stamped with this stream's proven node id.
        const done = frame.barrierDone;
        const origin = done ? this.sessions.get(done.originNode) : undefined;
        if (done && origin) origin.writeAlways({ confirmed: { barrier: done.barrier, nodeId: session.nodeId } });
        return true;
      }
      case 'stats': {
        // Kept under the stream's proven node id: a node speaks only for itself,
        // and however often it reports, it only overwrites its own row.
        if (frame.stats && this.reports.receive(session.nodeId, frame.stats, Date.now())) this.counters.statsReports++;
        else this.counters.statsRejected++;
        return true;
      }
      default:
        this.reject(session.call, 'empty or unknown frame');
        return false;
    }
  }

  private openSession(call: NodeStream, hello: Hello__Output, identity: StreamIdentity): Session {
    const nodeId = hello.nodeId;
    const previous = this.sessions.get(nodeId);
    const limits = { maxBufferedFrames: this.options.maxBufferedFrames, maxLostRooms: this.options.maxLostRooms };
    const session = new NodeSession(nodeId, call, limits, this.counters, () => this.table.roomsOf(nodeId));
    // Register first, so the old stream's close sees it is no longer current.
    this.sessions.set(nodeId, session);
    if (previous) {
      this.logger.warn({ nodeId, peer: call.getPeer() }, 'node reconnected; closing its previous relay stream');
      previous.close();
      fail(previous.call, grpc.status.ABORTED, 'replaced by a newer stream of the same node');
    }
    this.table.replace(nodeId, cleanRooms(hello.rooms));
    this.reports.connected(nodeId);
    const gatewayId = this.options.gatewayId;
    session.writeAlways({ welcome: { gatewayId, proof: identity.welcomeProof(gatewayId) } });
    // After its Hello is in the table: a replay to it that follows is routed.
    this.peerUps.announce(nodeId);
    this.logger.info({ nodeId, rooms: hello.rooms.length, peer: call.getPeer() }, 'node connected to relay');
    this.emit('node:connected', nodeId);
    this.emit('interest', nodeId);
    return session;
  }

  /** PeerUp for `nodeId` to every other node (paced by PeerUpPacer). */
  private sendPeerUp(nodeId: string): void {
    for (const other of this.sessions.values()) {
      if (other.nodeId === nodeId) continue;
      other.writeAlways({ peerUp: { nodeId } });
      this.counters.peerUps++;
    }
  }

  private closeSession(session: Session): void {
    // A replaced stream closing late must not erase its successor's interest.
    session.close();
    if (this.sessions.get(session.nodeId) !== session) return;
    this.sessions.delete(session.nodeId);
    this.table.removeNode(session.nodeId);
    this.reports.disconnected(session.nodeId, Date.now());
    this.logger.info({ nodeId: session.nodeId }, 'node disconnected from relay');
    this.emit('node:disconnected', session.nodeId);
  }

  private reject(call: NodeStream, details: string, code = grpc.status.INVALID_ARGUMENT): void {
    this.counters.rejected++;
    this.logger.warn({ peer: call.getPeer(), details }, 'relay stream rejected');
    fail(call, code, details);
  }

  /** A stream whose credentials prove no node: refused before it can say or hear anything. */
  private refuse(call: NodeStream, reason: string): void {
    this.counters.unauthenticated++;
    const peer = call.getPeer();
    if (this.refusedPeers.shouldLog(peer, Date.now())) {
      this.logger.warn({ peer, reason }, 'relay stream refused: not authenticated (further refusals of this peer are not logged for a minute)');
    }
    // Swallow the client's later frames; the status below ends the call.
    call.on('error', () => undefined);
    fail(call, grpc.status.UNAUTHENTICATED, 'relay credentials refused');
  }
}

/** Ends a server stream with a status; grpc-js turns an emitted error into trailers. */
function fail(call: NodeStream, code: grpc.status, details: string): void {
  if (call.cancelled || call.writableEnded) return;
  const status: Partial<grpc.StatusObject> = { code, details };
  call.emit('error', status);
}
