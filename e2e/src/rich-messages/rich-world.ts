import type { Ack, CommandInput, CommandName, CommandResults, ErrorCode, Message, MessageUpdateEvent, NewMessageTarget } from '@parley/protocol';
import { at, startCluster, waitFor, type Cluster, type ClusterOptions } from '@parley/testing';
import { TestUser, befriend, uniqueName } from '../support/test-user';

/**
 * A user on one IM node, driven over a raw socket as a client would, who
 * also records the `message:update` pushes its socket gets.
 */
export class Member {
  readonly updates: MessageUpdateEvent[] = [];

  constructor(
    readonly user: TestUser,
    private readonly world: World,
  ) {}

  get id(): string {
    return this.user.id;
  }

  get received(): Message[] {
    return this.user.received;
  }

  /** Connects (again) to node `node`, recording pushes from then on. */
  async connect(node: 0 | 1): Promise<void> {
    const socket = await this.user.connect(at(this.world.cluster.nodes, node, 'IM node').url);
    socket.on('message:update', (u) => this.updates.push(u));
  }

  disconnect(): void {
    this.user.disconnect();
  }

  /** Another session (device) of this user, connected to `node`. */
  async device(node: 0 | 1): Promise<Member> {
    const other = new Member(TestUser.fromSession(this.user), this.world);
    this.world.track(other);
    await other.connect(node);
    return other;
  }

  ok<K extends CommandName>(name: K, payload: CommandInput<K>): Promise<CommandResults[K]> {
    return this.user.ok(name, payload);
  }

  command<K extends CommandName>(name: K, payload: CommandInput<K>, timeoutMs?: number): Promise<Ack<CommandResults[K]>> {
    return this.user.command(name, payload, timeoutMs);
  }

  /** A text message (a reply, with mentions); fails the test unless stored. */
  async send(to: NewMessageTarget, text: string, extra: { replyTo?: string; mentions?: string[] } = {}): Promise<Message> {
    const { message } = await this.ok('message:send', { to, clientMsgId: uniqueName('c'), kind: 'text', body: { text }, ...extra });
    return message;
  }

  /** The same send, answering the ack whatever it is. */
  trySend(to: NewMessageTarget, text: string, extra: { replyTo?: string; mentions?: string[] } = {}): Promise<Ack<{ message: Message }>> {
    return this.command('message:send', { to, clientMsgId: uniqueName('c'), kind: 'text', body: { text }, ...extra });
  }

  /** Waits for a message:update push matching `filter`. */
  waitForUpdate(filter: (u: MessageUpdateEvent) => boolean, what = 'a message:update'): Promise<MessageUpdateEvent> {
    return waitFor(what, () => this.updates.find(filter));
  }

  /** The whole log of a conversation as this user sees it (content and change entries), paged with history:fetch. */
  async log(conversationId: string): Promise<Message[]> {
    const all: Message[] = [];
    for (let after = 0; ; ) {
      const page = await this.ok('history:fetch', { conversationId, afterSeq: after, limit: 500 });
      all.push(...page.messages);
      const last = page.messages.at(-1);
      if (!page.hasMore || !last) return all;
      after = last.seq;
    }
  }

  /** One message as this user sees it now (from its conversation's log). */
  async current(message: Pick<Message, 'id' | 'conversationId'>): Promise<Message | undefined> {
    return (await this.log(message.conversationId)).find((m) => m.id === message.id);
  }
}

/** One cluster (a gateway, two IM nodes) and the members made on it. */
export class World {
  private readonly members: Member[] = [];

  private constructor(readonly cluster: Cluster) {}

  static async start(name: string, options: Pick<ClusterOptions, 'nodeEnv' | 'gatewayEnv'> = {}): Promise<World> {
    return new World(await startCluster({ nodes: 2, name, ...options }));
  }

  /** A new user connected to node `node`. */
  async member(prefix: string, node: 0 | 1): Promise<Member> {
    const m = new Member(await TestUser.register(this.cluster.gatewayUrl, prefix), this);
    this.track(m);
    await m.connect(node);
    return m;
  }

  track(member: Member): void {
    this.members.push(member);
  }

  /** Two friends, alice on node 0 and bob on node 1, and their direct conversation's target for each. */
  async pair(prefix: string): Promise<{ alice: Member; bob: Member; toBob: NewMessageTarget; toAlice: NewMessageTarget }> {
    const alice = await this.member(`${prefix}a`, 0);
    const bob = await this.member(`${prefix}b`, 1);
    await befriend(alice.user, bob.user);
    return { alice, bob, toBob: { type: 'user', id: bob.id }, toAlice: { type: 'user', id: alice.id } };
  }

  /** A group owned by `owner` with `members` (made friends of the owner first, so they are added at once). */
  async group(owner: Member, members: Member[], name = 'rich'): Promise<{ groupId: string; conversationId: string; to: NewMessageTarget }> {
    for (const m of members) await befriend(owner.user, m.user);
    const { group } = await owner.ok('group:create', { name, memberIds: members.map((m) => m.id) });
    return { groupId: group.id, conversationId: `g:${group.id}`, to: { type: 'group', id: group.id } };
  }

  disconnectAll(): void {
    for (const m of this.members.splice(0)) m.disconnect();
  }

  async stop(): Promise<void> {
    this.disconnectAll();
    await this.cluster.stop();
  }
}

/** The error code of a refused ack (fails the test if it was ok). */
export function refusal(ack: Ack<unknown>): { code: ErrorCode; message: string } {
  if (ack.ok) throw new Error(`expected a refusal, got ${JSON.stringify(ack)}`);
  return ack.error;
}
