import { io as defaultIo, type Socket } from 'socket.io-client';
import {
  ParleyError,
  type Ack,
  type AuthResult,
  type ClientToServerEvents,
  type CommandInput,
  type CommandName,
  type CommandResults,
  type ErrorBody,
  type Message,
  type NewMessageTarget,
  type ServerEventPayloads,
  type ServerToClientEvents,
  type User,
} from '@parley/protocol';
import { backoffDelay, type BackoffOptions } from '@parley/util';
import { ConversationLog } from './conversation-log';
import { Emitter } from './emitter';
import { GatewayApi } from './gateway-api';

export type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface ClientEvents {
  /** Each message once, in seq order per conversation, with no holes. */
  message: [Message];
  state: [ClientState];
  /** After a lost connection came back (any node). */
  reconnected: [{ nodeId: string; downtimeMs: number }];
  receipt: [ServerEventPayloads['message:receipt']];
  typing: [ServerEventPayloads['typing']];
  presence: [ServerEventPayloads['presence:update']];
  group: [ServerEventPayloads['group:update']];
  /** A join request for a group you administer, or about you, was made or answered. */
  groupRequest: [ServerEventPayloads['group:request']];
  /** A friend request arrived for you. */
  friendRequest: [ServerEventPayloads['friend:request']];
  /** A friend request was answered or cancelled, or a friendship ended. */
  friendUpdate: [ServerEventPayloads['friend:update']];
  /** The node is shutting down; the client moves on its own after `reconnectAfterMs`. */
  draining: [ServerEventPayloads['server:draining']];
}

export interface ParleyClientOptions {
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

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type AnyAck = Ack<Record<string, unknown>>;

const PAGE = 200;
/** Errors worth retrying a send for: nothing was stored, or we cannot know yet. */
const TEMPORARY = new Set(['UNAVAILABLE', 'INTERNAL', 'RATE_LIMITED']);

/**
 * The Parley client: signs in at the gateway, connects to the node it is
 * given, and keeps the guarantees on the client's side: sends retried with
 * the same clientMsgId until acked, received messages deduped and released
 * in seq order with gaps fetched, a sync after every (re)connect, and a
 * reconnect through the gateway whenever a node dies or drains.
 */
export class ParleyClient extends Emitter<ClientEvents> {
  private readonly api: GatewayApi;
  private readonly options: Required<Omit<ParleyClientOptions, 'room' | 'fetch' | 'io' | 'backoff'>> & {
    backoff: BackoffOptions;
  };
  private readonly ioFactory: typeof defaultIo;
  private readonly logs = new Map<string, ConversationLog>();
  private readonly filling = new Set<string>();
  private readonly pendingAcks = new Set<string>();
  /** Rejecters of commands waiting on the current socket, failed at once when it goes. */
  private readonly inflight = new Set<() => void>();
  private auth: AuthResult | undefined;
  private socket: ClientSocket | undefined;
  private generation = 0;
  private currentState: ClientState = 'idle';
  private connectedWaiters: (() => void)[] = [];
  private establishing: Promise<void> | undefined;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private disconnectedAt = 0;
  private currentNodeId: string | undefined;

  constructor(private readonly config: ParleyClientOptions) {
    super();
    const fetchImpl = config.fetch ?? globalThis.fetch.bind(globalThis);
    this.api = new GatewayApi(config.gatewayUrl.replace(/\/$/, ''), fetchImpl);
    this.ioFactory = config.io ?? defaultIo;
    this.options = {
      gatewayUrl: config.gatewayUrl,
      commandTimeoutMs: config.commandTimeoutMs ?? 8_000,
      sendDeadlineMs: config.sendDeadlineMs ?? 120_000,
      ackDelayMs: config.ackDelayMs ?? 250,
      backoff: { initialMs: 250, maxMs: 5_000, ...config.backoff },
    };
  }

  get state(): ClientState {
    return this.currentState;
  }

  get nodeId(): string | undefined {
    return this.currentNodeId;
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
    if (this.currentState === 'closed') throw new ParleyError('UNAVAILABLE', 'client is closed');
    if (this.currentState === 'connected') return;
    await this.establish();
  }

  async close(): Promise<void> {
    this.setState('closed');
    this.generation++;
    clearTimeout(this.ackTimer);
    this.flushAcks();
    this.socket?.disconnect();
    this.socket = undefined;
    for (const wake of this.connectedWaiters.splice(0)) wake();
  }

  /** Sends a text message; resolves with the stored message once the server has committed it. */
  async send(to: NewMessageTarget, text: string, options: { clientMsgId?: string } = {}): Promise<Message> {
    const clientMsgId = options.clientMsgId ?? newClientMsgId();
    const payload: CommandInput<'message:send'> = { to, clientMsgId, kind: 'text', body: { text } };
    const deadline = Date.now() + this.options.sendDeadlineMs;
    for (let attempt = 0; ; attempt++) {
      let failure: ParleyError;
      try {
        const { message } = await this.command('message:send', payload);
        this.ingest(message);
        return message;
      } catch (err) {
        failure = err instanceof ParleyError ? err : new ParleyError('UNAVAILABLE', String(err));
        if (!TEMPORARY.has(failure.code) || this.currentState === 'closed') throw failure;
      }
      const wait = failure.retryAfterMs ?? backoffDelay(attempt, this.options.backoff);
      if (Date.now() + wait > deadline) throw new ParleyError('UNAVAILABLE', `not acked in time: ${failure.message}`);
      await sleep(wait);
    }
  }

  /** Runs one command on the current node, waiting for a connection first. */
  async command<K extends CommandName>(name: K, payload: CommandInput<K>): Promise<CommandResults[K]> {
    await this.whenConnected();
    const socket = this.socket;
    if (!socket || this.currentState !== 'connected') throw new ParleyError('UNAVAILABLE', 'not connected');
    const ack = await this.emitWithAck(socket, name, payload);
    if (!ack.ok) throw fromErrorBody(ack.error);
    const { ok: _ok, ...result } = ack;
    return result as unknown as CommandResults[K];
  }

  /** Fetches everything after what the client holds, for every known conversation. */
  async syncNow(): Promise<void> {
    await this.whenConnected();
    const socket = this.socket;
    if (socket) await this.fullSync(socket);
  }

  /** Messages held for a conversation, in seq order. */
  messages(conversationId: string): readonly Message[] {
    return this.logs.get(conversationId)?.messages() ?? [];
  }

  conversationIds(): string[] {
    return [...this.logs.keys()];
  }

  /** Tells the client where a conversation starts for it (e.g. from conversation:list), before anything arrives. */
  seedCursor(conversationId: string, seq: number): void {
    if (!this.logs.has(conversationId)) this.logs.set(conversationId, new ConversationLog(seq));
  }

  private requireAuth(): AuthResult {
    if (!this.auth) throw new ParleyError('UNAUTHORIZED', 'log in first');
    return this.auth;
  }

  private setState(state: ClientState): void {
    if (this.currentState === state || this.currentState === 'closed') return;
    this.currentState = state;
    this.emit('state', state);
    if (state === 'connected') for (const wake of this.connectedWaiters.splice(0)) wake();
  }

  private whenConnected(): Promise<void> {
    if (this.currentState === 'connected' || this.currentState === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.connectedWaiters.push(resolve));
  }

  /** One reconnect loop at a time: ask the gateway for a node, connect, sync. */
  private establish(): Promise<void> {
    this.establishing ??= this.runEstablish().finally(() => {
      this.establishing = undefined;
    });
    return this.establishing;
  }

  private async runEstablish(): Promise<void> {
    const reconnecting = this.disconnectedAt > 0;
    this.setState(reconnecting ? 'reconnecting' : 'connecting');
    for (let attempt = 0; this.currentState !== 'closed'; attempt++) {
      try {
        const assigned = await this.api.assign(this.requireAuth().token, this.config.room);
        const socket = await this.open(assigned.url);
        await this.fullSync(socket);
        this.currentNodeId = assigned.nodeId;
        this.setState('connected');
        if (reconnecting) {
          this.emit('reconnected', { nodeId: assigned.nodeId, downtimeMs: Date.now() - this.disconnectedAt });
        }
        this.disconnectedAt = 0;
        return;
      } catch (err) {
        if (err instanceof ParleyError && err.code === 'UNAUTHORIZED') {
          await this.close();
          throw err;
        }
        this.dropSocket();
        await sleep(backoffDelay(attempt, this.options.backoff));
      }
    }
  }

  private open(url: string): Promise<ClientSocket> {
    const generation = ++this.generation;
    const socket: ClientSocket = this.ioFactory(url, {
      auth: { token: this.requireAuth().token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 5_000,
    });
    this.socket = socket;
    socket.on('message:new', (m) => generation === this.generation && this.ingest(m));
    socket.on('message:receipt', (r) => this.emit('receipt', r));
    socket.on('typing', (t) => this.emit('typing', t));
    socket.on('presence:update', (p) => this.emit('presence', p));
    socket.on('group:update', (g) => this.emit('group', g));
    socket.on('group:request', (r) => this.emit('groupRequest', r));
    socket.on('friend:request', (r) => this.emit('friendRequest', r));
    socket.on('friend:update', (u) => this.emit('friendUpdate', u));
    socket.on('server:draining', (d) => {
      if (generation !== this.generation) return;
      this.emit('draining', d);
      setTimeout(() => generation === this.generation && this.lost(), d.reconnectAfterMs);
    });
    socket.on('server:resync', ({ withinMs }) => {
      // Spread over the window the node gave, so its sessions don't sync all at once.
      setTimeout(() => {
        if (generation === this.generation) void this.fullSync(socket).catch(() => undefined);
      }, Math.random() * withinMs);
    });
    socket.on('disconnect', () => generation === this.generation && this.lost());
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (err) =>
        reject(err.message === 'UNAUTHORIZED' ? new ParleyError('UNAUTHORIZED', 'token rejected') : err),
      );
    });
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
    for (const fail of [...this.inflight]) fail();
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = undefined;
  }

  private async fullSync(socket: ClientSocket): Promise<void> {
    for (let more = true; more; ) {
      const since: Record<string, number> = {};
      for (const [id, log] of this.logs) since[id] = log.releasedSeq;
      const ack = (await this.emitWithAck(socket, 'sync', { since, limit: PAGE })) as Ack<CommandResults['sync']>;
      if (!ack.ok) throw fromErrorBody(ack.error);
      more = false;
      for (const conversation of ack.conversations) {
        const first = conversation.messages[0];
        // A conversation this client has never seen starts where the server's cursor did.
        if (first && !this.logs.has(conversation.conversationId)) this.seedCursor(conversation.conversationId, first.seq - 1);
        for (const m of conversation.messages) this.ingest(m);
        more ||= conversation.hasMore;
      }
    }
  }

  private ingest(message: Message): void {
    let log = this.logs.get(message.conversationId);
    if (!log) this.logs.set(message.conversationId, (log = new ConversationLog()));
    const released = log.ingest(message);
    for (const m of released) this.emit('message', m);
    if (released.length > 0) this.scheduleAck(message.conversationId);
    if (log.hasGap()) void this.fillGap(message.conversationId, log);
  }

  /** Fetches what lies between the released cursor and a message that arrived early. */
  private async fillGap(conversationId: string, log: ConversationLog): Promise<void> {
    if (this.filling.has(conversationId)) return;
    this.filling.add(conversationId);
    try {
      while (log.hasGap() && this.socket && this.currentState !== 'closed') {
        const before = log.releasedSeq;
        const ack = (await this.emitWithAck(this.socket, 'history:fetch', {
          conversationId,
          afterSeq: before,
          limit: PAGE,
        })) as Ack<CommandResults['history:fetch']>;
        if (!ack.ok) break;
        for (const m of ack.messages) this.ingest(m);
        if (log.releasedSeq === before) break; // nothing new: the next sync will retry
      }
    } catch {
      // Disconnected mid-fill: the sync after reconnecting covers it.
    } finally {
      this.filling.delete(conversationId);
    }
  }

  private scheduleAck(conversationId: string): void {
    this.pendingAcks.add(conversationId);
    this.ackTimer ??= setTimeout(() => {
      this.ackTimer = undefined;
      this.flushAcks();
    }, this.options.ackDelayMs);
  }

  /** Tells the server how far each conversation was delivered (best effort). */
  private flushAcks(): void {
    const socket = this.socket;
    if (!socket?.connected) return;
    for (const conversationId of this.pendingAcks) {
      const seq = this.logs.get(conversationId)?.releasedSeq ?? 0;
      if (seq > 0) socket.emit('message:ack', { conversationId, seq }, () => undefined);
    }
    this.pendingAcks.clear();
  }

  private emitWithAck(socket: ClientSocket, name: string, payload: unknown): Promise<AnyAck> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.inflight.delete(fail);
        reject(new ParleyError('UNAVAILABLE', `${name}: no answer in time`));
      }, this.options.commandTimeoutMs);
      const fail = () => {
        clearTimeout(timer);
        this.inflight.delete(fail);
        reject(new ParleyError('UNAVAILABLE', `${name}: disconnected`));
      };
      this.inflight.add(fail);
      (socket.emit as (ev: string, p: unknown, cb: (a: AnyAck) => void) => void)(name, payload, (ack) => {
        clearTimeout(timer);
        this.inflight.delete(fail);
        resolve(ack);
      });
    });
  }
}

function fromErrorBody(error: ErrorBody): ParleyError {
  return new ParleyError(error.code, error.message, { retryAfterMs: error.retryAfterMs });
}

function newClientMsgId(): string {
  return globalThis.crypto.randomUUID();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
