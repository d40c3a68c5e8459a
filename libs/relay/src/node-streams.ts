import type { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@parley/util';
import type { Hello__Output } from './generated/parley/relay/v1/Hello';
import type { NodeFrame__Output } from './generated/parley/relay/v1/NodeFrame';
import { OncePerPeer, type StreamAuthenticator, type StreamIdentity } from './auth';
import type { DeliverRouter } from './deliver-router';
import { cleanRooms, type InterestTable } from './interest-table';
import type { NodeReports } from './node-reports';
import { NodeSession, type NodeSessionLimits, type NodeStream } from './node-session';
import { PeerUpPacer } from './peer-up-pacer';
import type { RelayServerEvents, RelayServerStats } from './relay-server.types';

/** What the gateway knows of its nodes: owned by RelayServer, kept current by NodeStreams, read by DeliverRouter. */
export interface NodeRegistry {
  /** The current stream of each node (a reconnect replaces it). */
  readonly sessions: Map<string, NodeSession>;
  readonly table: InterestTable;
  /** The latest NodeStats of each node (the ops console's fleet view). */
  readonly reports: NodeReports;
  readonly router: DeliverRouter;
}

export interface NodeStreamsSettings {
  /** Sent in Welcome. */
  gatewayId: string;
  limits: NodeSessionLimits;
  peerUpEveryMs: number;
}

/** The counters a stream's life moves (RelayServerStats, less the routing and admin ones). */
export type NodeStreamCounters = Omit<RelayServerStats, 'rememberedProofs' | 'publishes' | 'delivers' | 'directed' | 'adminCommands'>;

/**
 * Every node's stream on the gateway: refused unless its credential proves
 * a node, opened by a Hello naming that node, then its frames applied in
 * order (interest, publishes, barrier answers, NodeStats) until it ends or
 * breaks the protocol. A node's new stream replaces its old one, and is
 * announced to the others (PeerUp, paced).
 */
export class NodeStreams {
  private readonly refusedPeers = new OncePerPeer();
  private readonly peerUps: PeerUpPacer;

  constructor(
    private readonly settings: NodeStreamsSettings,
    private readonly nodes: NodeRegistry,
    private readonly authenticator: StreamAuthenticator,
    private readonly counters: NodeStreamCounters,
    private readonly events: EventEmitter<RelayServerEvents>,
    private readonly logger: Logger,
  ) {
    this.peerUps = new PeerUpPacer(settings.peerUpEveryMs, (nodeId) => this.sendPeerUp(nodeId), (nodeId) => nodes.sessions.has(nodeId));
  }

  /**
   * Ends every stream: with `status` (nodes reconnect elsewhere or later),
   * or without one, writing nothing more (a crash: frames still queued lost).
   */
  closeAll(status?: { code: grpc.status; details: string }): void {
    const sessions = [...this.nodes.sessions.values()];
    if (!status) for (const session of sessions) session.silence();
    for (const session of sessions) {
      session.close();
      if (status) fail(session.call, status.code, status.details);
    }
    this.nodes.sessions.clear();
    this.nodes.table.clear();
    this.nodes.reports.clear();
    this.peerUps.clear();
  }

  /** A node's new stream: authenticated, then its Hello opens a session; each frame after it is applied. */
  accept(call: NodeStream): void {
    const check = this.authenticator.authenticate(call);
    if (!check.ok) {
      this.refuse(call, check.reason);
      return;
    }
    const identity = check.identity;
    let session: NodeSession | undefined;
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
  private handleFrame(session: NodeSession, frame: NodeFrame__Output): boolean {
    switch (frame.frame) {
      case 'hello': {
        // A second Hello on the same stream is a full resync, not a new identity.
        if (!frame.hello || frame.hello.nodeId !== session.nodeId) {
          this.reject(session.call, 'hello cannot change the node_id of a stream');
          return false;
        }
        this.nodes.table.replace(session.nodeId, cleanRooms(frame.hello.rooms));
        this.events.emit('interest', session.nodeId);
        return true;
      }
      case 'delta': {
        const delta = frame.delta;
        if (delta) this.nodes.table.apply(session.nodeId, cleanRooms(delta.add), cleanRooms(delta.remove));
        if (delta?.ack) session.writeAlways({ applied: { ack: delta.ack } });
        this.events.emit('interest', session.nodeId);
        return true;
      }
      case 'publish': {
        if (frame.publish) this.events.emit('publish', session.nodeId, this.nodes.router.route(session, frame.publish));
        return true;
      }
      case 'publishes': {
        // One turn's publishes of the node, in order: each routed as if it came alone.
        const publishes = frame.publishes?.publishes ?? [];
        this.counters.framesIn += Math.max(0, publishes.length - 1);
        for (const publish of publishes) this.events.emit('publish', session.nodeId, this.nodes.router.route(session, publish));
        return true;
      }
      case 'barrierDone': {
        // Forwarded to the origin, stamped with this stream's proven node id.
        const done = frame.barrierDone;
        const origin = done ? this.nodes.sessions.get(done.originNode) : undefined;
        if (done && origin) origin.writeAlways({ confirmed: { barrier: done.barrier, nodeId: session.nodeId } });
        return true;
      }
      case 'stats': {
        // Kept under the stream's proven node id: a node speaks only for itself,
        // and however often it reports, it only overwrites its own row.
        if (frame.stats && this.nodes.reports.receive(session.nodeId, frame.stats, Date.now())) this.counters.statsReports++;
        else this.counters.statsRejected++;
        return true;
      }
      default:
        this.reject(session.call, 'empty or unknown frame');
        return false;
    }
  }

  private openSession(call: NodeStream, hello: Hello__Output, identity: StreamIdentity): NodeSession {
    const nodeId = hello.nodeId;
    const previous = this.nodes.sessions.get(nodeId);
    const session = new NodeSession(nodeId, call, this.settings.limits, this.counters, () => this.nodes.table.roomsOf(nodeId), hello.batches === true);
    // Register first, so the old stream's close sees it is no longer current.
    this.nodes.sessions.set(nodeId, session);
    if (previous) {
      this.logger.warn({ nodeId, peer: call.getPeer() }, 'node reconnected; closing its previous relay stream');
      previous.close();
      fail(previous.call, grpc.status.ABORTED, 'replaced by a newer stream of the same node');
    }
    this.nodes.table.replace(nodeId, cleanRooms(hello.rooms));
    this.nodes.reports.connected(nodeId);
    const gatewayId = this.settings.gatewayId;
    session.writeAlways({ welcome: { gatewayId, proof: identity.welcomeProof(gatewayId), batches: true } });
    // After its Hello is in the table: a replay to it that follows is routed.
    this.peerUps.announce(nodeId);
    this.logger.info({ nodeId, rooms: hello.rooms.length, peer: call.getPeer() }, 'node connected to relay');
    this.events.emit('node:connected', nodeId);
    this.events.emit('interest', nodeId);
    return session;
  }

  /** PeerUp for `nodeId` to every other node (paced by PeerUpPacer). */
  private sendPeerUp(nodeId: string): void {
    for (const other of this.nodes.sessions.values()) {
      if (other.nodeId === nodeId) continue;
      other.writeAlways({ peerUp: { nodeId } });
      this.counters.peerUps++;
    }
  }

  private closeSession(session: NodeSession): void {
    // A replaced stream closing late must not erase its successor's interest.
    session.close();
    if (this.nodes.sessions.get(session.nodeId) !== session) return;
    this.nodes.sessions.delete(session.nodeId);
    this.nodes.table.removeNode(session.nodeId);
    this.nodes.reports.disconnected(session.nodeId, Date.now());
    this.logger.info({ nodeId: session.nodeId }, 'node disconnected from relay');
    this.events.emit('node:disconnected', session.nodeId);
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
