import type { io as defaultIo } from 'socket.io-client';
import { ParleyError, type AssignResult, type HANDSHAKE_UNAUTHORIZED, type SessionEndReason } from '@parley/protocol';
import { backoffDelay, type BackoffOptions } from '@parley/util';
import { CommandChannel, type ClientSocket } from './command-channel';

/**
 * The handshake's refusal message, checked against the protocol's constant by
 * type only: importing the value would pull the protocol's zod schemas into
 * the client bundle.
 */
const HANDSHAKE_REFUSED: typeof HANDSHAKE_UNAUTHORIZED = 'UNAUTHORIZED';

/** Socket.IO's default path, where an IM node listens when reached directly. */
const DEFAULT_SOCKET_PATH = '/socket.io';

export type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Why the connection needs a new token: the token was `refused` (handshake or gateway), or the node ended the session. */
export type AuthTrouble = 'refused' | SessionEndReason;

/** What the connection needs from the rest of the client. */
export interface ConnectionHooks {
  /** Asks the gateway for a node (throws UNAUTHORIZED when the session is no good). */
  assign(): Promise<AssignResult>;
  /** The session token the node checks at the handshake. */
  token(): string;
  /** A new socket, before it connects: subscribe to its pushes. `current` turns false once it was replaced. */
  attach(socket: ClientSocket, channel: CommandChannel, current: () => boolean): void;
  /** The socket is open; runs before the state turns `connected` (the catch-up sync). A throw counts as a failed attempt. */
  ready(channel: CommandChannel): Promise<void>;
  state(state: ClientState): void;
  /** After a lost connection came back (any node). */
  reconnected(info: { nodeId: string; downtimeMs: number }): void;
  /**
   * The token was refused or the node ended the session: resolves true once
   * a usable token is in place (the connection goes on), false when the
   * session is over. A throw (the gateway out of reach) is retried with backoff.
   */
  reauthenticate(trouble: AuthTrouble): Promise<boolean>;
  /** The session is over: the connection closes for good right after. */
  sessionOver(trouble: AuthTrouble): void;
}

export interface ConnectionOptions {
  io: typeof defaultIo;
  /** Delay between attempts to (re)connect. */
  backoff: BackoffOptions;
  /** How long one command waits for its ack. */
  commandTimeoutMs: number;
  /** How long the Socket.IO handshake may take. @default 5000 */
  handshakeTimeoutMs?: number;
}

/**
 * The client's link to one IM node at a time: asks the gateway for a node,
 * opens a socket to it and, whenever that socket is lost (the node died, the
 * network went, or the node is draining and said when to leave), goes back
 * through the gateway with backoff until a node takes it, or until `close`.
 */
export class Connection {
  private socket: ClientSocket | undefined;
  private currentChannel: CommandChannel | undefined;
  /** Bumped for every socket, so handlers of a replaced one do nothing. */
  private generation = 0;
  private currentState: ClientState = 'idle';
  private connectedWaiters: (() => void)[] = [];
  private establishing: Promise<void> | undefined;
  private disconnectedAt = 0;
  private currentNodeId: string | undefined;
  /** Set when the next attempt must first get a usable token. */
  private trouble: AuthTrouble | undefined;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly hooks: ConnectionHooks,
  ) {}

  get state(): ClientState {
    return this.currentState;
  }

  get nodeId(): string | undefined {
    return this.currentNodeId;
  }

  /** The channel of the current socket (also while it is being set up), if any. */
  get channel(): CommandChannel | undefined {
    return this.currentChannel;
  }

  /** Resolves once connected (at once if connected or closed). */
  whenConnected(): Promise<void> {
    if (this.currentState === 'connected' || this.currentState === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.connectedWaiters.push(resolve));
  }

  /** Connects; one attempt loop at a time, shared by every caller. */
  establish(): Promise<void> {
    this.establishing ??= this.runEstablish().finally(() => {
      this.establishing = undefined;
    });
    return this.establishing;
  }

  close(): void {
    this.setState('closed');
    this.generation++;
    this.currentChannel?.close();
    this.socket?.disconnect();
    this.socket = undefined;
    this.currentChannel = undefined;
    for (const wake of this.connectedWaiters.splice(0)) wake();
  }

  private setState(state: ClientState): void {
    if (this.currentState === state || this.currentState === 'closed') return;
    this.currentState = state;
    this.hooks.state(state);
    if (state === 'connected') for (const wake of this.connectedWaiters.splice(0)) wake();
  }

  private async runEstablish(): Promise<void> {
    const reconnecting = this.disconnectedAt > 0;
    this.setState(reconnecting ? 'reconnecting' : 'connecting');
    // Refusals in a row: one earns a refresh; a fresh token refused again means the session is over.
    let refusals = 0;
    for (let attempt = 0; this.currentState !== 'closed'; attempt++) {
      try {
        const trouble = this.trouble;
        if (trouble) {
          if (!(await this.hooks.reauthenticate(trouble))) throw this.over(trouble);
          if (this.trouble === trouble) this.trouble = undefined;
        }
        const assigned = await this.hooks.assign();
        const channel = await this.open(assigned.url, socketPathOf(assigned));
        await this.hooks.ready(channel);
        this.currentNodeId = assigned.nodeId;
        this.setState('connected');
        if (reconnecting) this.hooks.reconnected({ nodeId: assigned.nodeId, downtimeMs: Date.now() - this.disconnectedAt });
        this.disconnectedAt = 0;
        return;
      } catch (err) {
        if (this.isClosed()) {
          // The session is over (over() threw), or the application closed the client meanwhile (as before: quietly).
          if (err instanceof ParleyError && err.code === 'UNAUTHORIZED') throw err;
          return;
        }
        if (err instanceof ParleyError && err.code === 'UNAUTHORIZED') {
          if (refusals++ > 0) throw this.over('refused');
          this.dropSocket();
          this.trouble ??= 'refused';
          continue;
        }
        this.dropSocket();
        await sleep(backoffDelay(attempt, this.options.backoff));
      }
    }
  }

  private open(url: string, path: string): Promise<CommandChannel> {
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    const socket: ClientSocket = this.options.io(url, {
      path,
      auth: { token: this.hooks.token() },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: this.options.handshakeTimeoutMs ?? 5_000,
    });
    const channel = new CommandChannel(socket, this.options.commandTimeoutMs);
    this.socket = socket;
    this.currentChannel = channel;
    this.hooks.attach(socket, channel, current);
    socket.on('server:draining', ({ reconnectAfterMs }) => {
      setTimeout(() => current() && this.lost(), reconnectAfterMs);
    });
    socket.on('disconnect', () => current() && this.lost());
    // Sent right before the node disconnects: this socket's end is not a loss to recover from with the same token.
    socket.on('session:ended', ({ reason }) => {
      if (!current()) return;
      this.trouble = reason;
      this.lost();
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(channel));
      socket.once('connect_error', (err) =>
        reject(err.message === HANDSHAKE_REFUSED ? new ParleyError('UNAUTHORIZED', 'token rejected') : err),
      );
    });
  }

  /** A method, so that the compiler does not keep the loop condition's narrowing across awaits. */
  private isClosed(): boolean {
    return this.currentState === 'closed';
  }

  /** Closes for good because the session is over; the error to throw. */
  private over(trouble: AuthTrouble): ParleyError {
    this.hooks.sessionOver(trouble);
    this.close();
    return new ParleyError('UNAUTHORIZED', trouble === 'refused' ? 'token rejected' : `session ended: ${trouble}`);
  }

  /** The connection is gone (node died, drained, network): go back through the gateway. */
  private lost(): void {
    if (this.currentState === 'closed') return;
    this.disconnectedAt ||= Date.now();
    this.dropSocket();
    this.setState('reconnecting');
    void this.establish().catch(() => undefined);
  }

  private dropSocket(): void {
    this.generation++;
    this.currentChannel?.close();
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = undefined;
    this.currentChannel = undefined;
  }
}

/** The assignment's Socket.IO path; a gateway from before `path` existed meant the node's own `/socket.io`. */
export function socketPathOf(assigned: AssignResult): string {
  const { path } = assigned as Partial<AssignResult>;
  return typeof path === 'string' && path.startsWith('/') ? path : DEFAULT_SOCKET_PATH;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
