import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  AssignResult,
  AuthResult,
  ClientToServerEvents,
  CommandInput,
  CommandName,
  CommandResults,
  Message,
  ServerEventName,
  ServerEventPayloads,
  ServerToClientEvents,
} from '@parley/protocol';
import { TEST_PASSWORD, at } from '@parley/testing';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let counter = 0;
export const uniqueName = (prefix: string): string => `${prefix}_${process.pid}_${++counter}_${Date.now() % 100_000}`;

/** A user driven the way a real client would: REST at the gateway, Socket.IO at the assigned node. */
export class TestUser {
  readonly received: Message[] = [];
  /** Social pushes seen by this session, in arrival order. */
  readonly events: RecordedEvent[] = [];
  socket: ClientSocket | undefined;
  nodeId = '';

  private constructor(
    readonly gatewayUrl: string,
    readonly auth: AuthResult,
  ) {}

  get id(): string {
    return this.auth.user.id;
  }

  static async register(gatewayUrl: string, prefix = 'user'): Promise<TestUser> {
    const res = await fetch(`${gatewayUrl}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: uniqueName(prefix), password: TEST_PASSWORD }),
    });
    if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
    return new TestUser(gatewayUrl, (await res.json()) as AuthResult);
  }

  /** Another session (device, tab) of the same signed-in user. */
  static fromSession(other: TestUser): TestUser {
    return new TestUser(other.gatewayUrl, other.auth);
  }

  async assign(room?: string): Promise<AssignResult> {
    const query = room ? `?room=${encodeURIComponent(room)}` : '';
    const res = await fetch(`${this.gatewayUrl}/api/nodes/assign${query}`, {
      headers: { authorization: `Bearer ${this.auth.token}` },
    });
    if (!res.ok) throw new Error(`assign failed: ${res.status}`);
    return (await res.json()) as AssignResult;
  }

  /** Connects to a given node URL (or whatever the gateway assigns, on its Socket.IO path) and records every message:new. */
  async connect(url?: string): Promise<ClientSocket> {
    let target = url;
    let path: string | undefined;
    if (!target) {
      const assigned = await this.assign();
      target = assigned.url;
      path = assigned.path;
      this.nodeId = assigned.nodeId;
    }
    const socket: ClientSocket = io(target, {
      path,
      auth: { token: this.auth.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    socket.on('message:new', (m) => this.received.push(m));
    for (const event of RECORDED_EVENTS) {
      (socket.on as (ev: string, fn: (payload: unknown) => void) => void)(event, (payload) =>
        this.events.push({ event, payload } as RecordedEvent),
      );
    }
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(err));
    });
    this.socket = socket;
    return socket;
  }

  disconnect(): void {
    this.socket?.disconnect();
    this.socket = undefined;
  }

  /** Sends a command and resolves with its ack (ok or not). */
  command<K extends CommandName>(name: K, payload: CommandInput<K>, timeoutMs = 10_000): Promise<Ack<CommandResults[K]>> {
    const socket = this.socket;
    if (!socket) throw new Error('not connected');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} ack timed out`)), timeoutMs);
      const emit = socket.emit as (ev: string, p: unknown, cb: (a: Ack<CommandResults[K]>) => void) => void;
      emit.call(socket, name, payload, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
    });
  }

  /** Like command, but fails the test unless the ack is ok. */
  async ok<K extends CommandName>(name: K, payload: CommandInput<K>): Promise<CommandResults[K]> {
    const ack = await this.command(name, payload);
    if (!ack.ok) throw new Error(`${name} failed: ${ack.error.code} ${ack.error.message}`);
    return ack;
  }

  async sendText(to: { type: 'user' | 'group'; id: string }, text: string, clientMsgId = uniqueName('c')): Promise<Message> {
    const { message } = await this.ok('message:send', { to, clientMsgId, kind: 'text', body: { text } });
    return message;
  }

  /** Waits for a push of `event` whose payload matches `filter`; resolves with that payload. */
  async waitForEvent<E extends RecordedEventName>(
    event: E,
    filter: (payload: ServerEventPayloads[E]) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<ServerEventPayloads[E]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.eventsOf(event).find(filter);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${event} event arrived; saw ${JSON.stringify(this.events)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  eventsOf<E extends RecordedEventName>(event: E): ServerEventPayloads[E][] {
    return this.events.filter((e) => e.event === event).map((e) => e.payload as ServerEventPayloads[E]);
  }

  /** Waits for a message matching `filter`; resolves with the first that arrived. */
  async waitForMessage(filter: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    return at(await this.waitForMessages(1, filter, timeoutMs), 0, 'message');
  }

  /** Waits until `count` messages matching `filter` have arrived. */
  async waitForMessages(count: number, filter: (m: Message) => boolean = () => true, timeoutMs = 10_000): Promise<Message[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.received.filter(filter);
      if (matching.length >= count) return matching;
      if (Date.now() > deadline) throw new Error(`got ${matching.length} of ${count} messages`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const RECORDED_EVENTS = [
  'friend:request',
  'friend:update',
  'group:update',
  'group:request',
  'group:invitation',
  'presence:update',
  'typing',
  'server:draining',
] as const;
type RecordedEventName = (typeof RECORDED_EVENTS)[number] & ServerEventName;
type RecordedEvent = { [E in RecordedEventName]: { event: E; payload: ServerEventPayloads[E] } }[RecordedEventName];

/** Makes two users friends through the protocol (both must be connected). */
export async function befriend(a: TestUser, b: TestUser): Promise<void> {
  const { request } = await a.ok('friend:request', { userId: b.id });
  await b.ok('friend:respond', { requestId: request.id, accept: true });
}
