import { io as defaultIo } from 'socket.io-client';
import {
  ParleyError,
  type AuthResult,
  type CommandInput,
  type CommandName,
  type CommandResults,
  type Message,
  type NewMessageTarget,
  type User,
} from '@parley/protocol';
import type { BackoffOptions } from '@parley/util';
import { forwardServerEvents, type ClientEvents } from './client-events';
import { Connection, type ClientState } from './connection';
import { Emitter } from './emitter';
import { GatewayApi } from './gateway-api';
import { Sender } from './sender';
import { Sync } from './sync';

export interface ParleyClientOptions {
  /** The gateway's base URL, e.g. `http://127.0.0.1:8080`. */
  gatewayUrl: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default socket.io-client's io */
  io?: typeof defaultIo;
  /** Reconnect and resend backoff. @default { initialMs: 250, maxMs: 5000 } */
  backoff?: Partial<BackoffOptions>;
  /** How long one command waits for its ack. @default 8000 */
  commandTimeoutMs?: number;
  /** How long `send` keeps retrying before giving up with UNAVAILABLE. @default 120000 */
  sendDeadlineMs?: number;
  /** Delivery acks are batched this long. @default 250 */
  ackDelayMs?: number;
  /** Passed to node assignment, for room-hash routing. */
  room?: string;
}

/**
 * The Parley client: signs in at the gateway, connects to the node it is
 * given, and keeps the guarantees on the client's side: sends retried with
 * the same clientMsgId until acked, received messages deduped and released
 * in seq order with gaps fetched, a sync after every (re)connect, and a
 * reconnect through the gateway whenever a node dies or drains.
 *
 * A facade over four parts: the {@link Connection} (gateway assignment,
 * socket, reconnects), one {@link CommandChannel} per socket (acks,
 * timeouts), {@link Sync} (cursors, gap fill, delivery acks) and the
 * {@link Sender} (retries).
 */
export class ParleyClient extends Emitter<ClientEvents> {
  private readonly api: GatewayApi;
  private readonly connection: Connection;
  private readonly sync: Sync;
  private readonly sender: Sender;
  private auth: AuthResult | undefined;

  constructor(config: ParleyClientOptions) {
    super();
    const fetchImpl = config.fetch ?? globalThis.fetch.bind(globalThis);
    this.api = new GatewayApi(config.gatewayUrl.replace(/\/$/, ''), fetchImpl);
    const backoff: BackoffOptions = { initialMs: 250, maxMs: 5_000, ...config.backoff };
    this.sync = new Sync({
      ackDelayMs: config.ackDelayMs ?? 250,
      release: (m) => this.emit('message', m),
      channel: () => this.connection.channel,
    });
    this.connection = new Connection(
      { io: config.io ?? defaultIo, backoff, commandTimeoutMs: config.commandTimeoutMs ?? 8_000 },
      {
        assign: () => this.api.assign(this.requireAuth().token, config.room),
        token: () => this.requireAuth().token,
        attach: (socket, channel, current) => {
          forwardServerEvents(socket, (event, payload) => current() && this.emit(event, payload));
          this.sync.attach(socket, channel, current);
        },
        ready: (channel) => this.sync.syncAll(channel),
        state: (state) => {
          if (state === 'closed') this.sync.close();
          this.emit('state', state);
        },
        reconnected: (info) => this.emit('reconnected', info),
      },
    );
    this.sender = new Sender({
      send: (payload) => this.command('message:send', payload),
      delivered: (message) => this.sync.ingest(message),
      closed: () => this.connection.state === 'closed',
      backoff,
      deadlineMs: config.sendDeadlineMs ?? 120_000,
    });
  }

  get state(): ClientState {
    return this.connection.state;
  }

  /** The IM node the client is (or was last) connected to. */
  get nodeId(): string | undefined {
    return this.connection.nodeId;
  }

  get user(): User | undefined {
    return this.auth?.user;
  }

  get session(): AuthResult | undefined {
    return this.auth;
  }

  async register(username: string, password: string, displayName?: string): Promise<AuthResult> {
    this.auth = await this.api.register(username, password, displayName);
    return this.auth;
  }

  async login(username: string, password: string): Promise<AuthResult> {
    this.auth = await this.api.login(username, password);
    return this.auth;
  }

  /** Resumes a session saved earlier (e.g. across page reloads). */
  useSession(auth: AuthResult): void {
    this.auth = auth;
  }

  /** Low-level REST call with this session's token (profile, user search…). */
  rest<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.api.request<T>(method, path, this.requireAuth().token, body);
  }

  /** Connects and syncs; afterwards the client reconnects by itself until close(). */
  async connect(): Promise<void> {
    this.requireAuth();
    if (this.connection.state === 'closed') throw new ParleyError('UNAVAILABLE', 'client is closed');
    if (this.connection.state === 'connected') return;
    await this.connection.establish();
  }

  /** Sends the delivery acks still pending and disconnects for good. */
  async close(): Promise<void> {
    this.sync.close();
    this.connection.close();
  }

  /** Sends a text message; resolves with the stored message once the server has committed it. */
  send(to: NewMessageTarget, text: string, options: { clientMsgId?: string } = {}): Promise<Message> {
    return this.sender.send(to, text, options.clientMsgId);
  }

  /** Runs one command on the current node, waiting for a connection first. */
  async command<K extends CommandName>(name: K, payload: CommandInput<K>): Promise<CommandResults[K]> {
    await this.connection.whenConnected();
    const channel = this.connection.channel;
    if (!channel || this.connection.state !== 'connected') throw new ParleyError('UNAVAILABLE', 'not connected');
    return channel.request(name, payload);
  }

  /** Fetches everything after what the client holds, for every known conversation. */
  async syncNow(): Promise<void> {
    await this.connection.whenConnected();
    const channel = this.connection.channel;
    if (channel) await this.sync.syncAll(channel);
  }

  /** Messages held for a conversation, in seq order. */
  messages(conversationId: string): readonly Message[] {
    return this.sync.messages(conversationId);
  }

  conversationIds(): string[] {
    return this.sync.conversationIds();
  }

  /** Tells the client where a conversation starts for it (e.g. from conversation:list), before anything arrives. */
  seedCursor(conversationId: string, seq: number): void {
    this.sync.seedCursor(conversationId, seq);
  }

  private requireAuth(): AuthResult {
    if (!this.auth) throw new ParleyError('UNAUTHORIZED', 'log in first');
    return this.auth;
  }
}
