import { directConversationId, groupConversationId, type Message, type NewMessageTarget } from '@parley/protocol';
import { at, startCluster, type Cluster } from '@parley/testing';
import { TestUser, befriend, uniqueName } from './support/test-user';

/**
 * Issue 9: group:kick, group:leave, user:block and friend:remove are acked
 * only once every node holding a session of the affected user has applied the
 * removal. Every scenario spreads the actor, the sender and the affected
 * session over three IM nodes, and sends the forbidden message right after
 * the ack.
 *
 * Absence is proven without waiting for time: after the forbidden message the
 * same sender's node sends a sentinel that the affected session does receive
 * (a DM). Relay frames from one origin node to one receiving node stay in
 * order (every node publishes through the same first gateway; this cluster
 * has one), so once the sentinel is in, the forbidden message would be too.
 *
 * Each group scenario keeps a bystander member on the removed session's
 * node, so that node always wants the group room and the gateway always
 * forwards the forbidden post there (the bystander is seen to get it): what
 * keeps it from the removed session is the removal having been applied on
 * that node, nothing else. The removed user is re-added at the start of
 * every round by the actor's node (so the previous room:leave and the next
 * room:join reach the third node in order), and a post from the sender's
 * node is seen to reach the session before each removal.
 */
jest.setTimeout(180_000);

const KICK_ROUNDS = 200;
const LEAVE_ROUNDS = 50;
const BLOCK_ROUNDS = 50;
const UNFRIEND_ROUNDS = 50;
/** A push or ack that has not come within this long is a failure, never a wait. */
const PUSH_TIMEOUT_MS = 10_000;

/** Resolves once `check` returns a value, re-checking after every push the session gets; fails after PUSH_TIMEOUT_MS. */
function until<T>(session: TestUser, what: string, check: () => T | undefined): Promise<T> {
  const found = check();
  if (found !== undefined) return Promise.resolve(found);
  const socket = session.socket;
  if (!socket) return Promise.reject(new Error(`${what}: session not connected`));
  return new Promise<T>((resolve, reject) => {
    // onAny runs before TestUser's own per-event listeners have recorded the
    // push; a microtask runs after them, so `check` sees it.
    const onPush = (): void =>
      queueMicrotask(() => {
        const value = check();
        if (value === undefined) return;
        stop();
        resolve(value);
      });
    const onDisconnect = (reason: string): void => {
      stop();
      reject(new Error(`${what}: session disconnected (${reason})`));
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${what}: not received within ${PUSH_TIMEOUT_MS} ms`));
    }, PUSH_TIMEOUT_MS);
    const stop = (): void => {
      clearTimeout(timer);
      socket.offAny(onPush);
      socket.off('disconnect', onDisconnect);
    };
    socket.onAny(onPush);
    socket.on('disconnect', onDisconnect);
  });
}

const receivedMessage = (session: TestUser, messageId: string): Message | undefined =>
  session.received.find((m) => m.id === messageId);

/** Waits until every session has had the message pushed to it. */
async function allReceive(sessions: readonly TestUser[], message: Message, what: string): Promise<void> {
  await Promise.all(sessions.map((s) => until(s, `${what} at ${s.id}`, () => receivedMessage(s, message.id))));
}

const text = (to: NewMessageTarget, body: string) => ({ to, clientMsgId: uniqueName('c'), kind: 'text' as const, body: { text: body } });
const toUser = (user: TestUser): NewMessageTarget => ({ type: 'user', id: user.id });
const toGroup = (groupId: string): NewMessageTarget => ({ type: 'group', id: groupId });

/** Per-round problems of one scenario; the test fails with their count. */
class RoundLedger {
  private readonly problems = new Map<number, string[]>();

  constructor(
    private readonly scenario: string,
    private readonly rounds: number,
  ) {}

  note(round: number, problem: string): void {
    const list = this.problems.get(round) ?? [];
    list.push(problem);
    this.problems.set(round, list);
  }

  /** `kick: 0/200 rounds leaked` when clean, else the count and the first few problems. */
  summary(): string {
    const head = `${this.scenario}: ${this.problems.size}/${this.rounds} rounds leaked`;
    if (this.problems.size === 0) return head;
    const first = [...this.problems].slice(0, 5).map(([round, list]) => `round ${round}: ${list.join('; ')}`);
    return `${head} (rounds ${[...this.problems.keys()].join(',')})\n${first.join('\n')}`;
  }

  clean(): string {
    return `${this.scenario}: 0/${this.rounds} rounds leaked`;
  }
}

/**
 * Once removed, the user may not read `message` from the store either:
 * history:fetch is refused or stops before it, and sync (asked from the very
 * start of the group) returns nothing of the group at or after it.
 */
async function assertUnreadable(session: TestUser, groupId: string, message: Message, ledger: RoundLedger, round: number): Promise<void> {
  const conversationId = groupConversationId(groupId);
  const [history, synced] = await Promise.all([
    session.command('history:fetch', { conversationId, afterSeq: message.seq - 1 }),
    session.ok('sync', { since: { [conversationId]: 0 } }),
  ]);
  if (history.ok && history.messages.some((m) => m.seq >= message.seq)) {
    ledger.note(round, `history:fetch returned seq >= ${message.seq}`);
  }
  const readable = synced.conversations
    .filter((c) => c.conversationId === conversationId)
    .flatMap((c) => c.messages)
    .some((m) => m.seq >= message.seq);
  if (readable) ledger.note(round, `sync returned seq >= ${message.seq}`);
}

describe('removals are acked only after every node of the removed user applied them (issue 9)', () => {
  let cluster: Cluster;
  const sessions: TestUser[] = [];

  const connectOn = async (session: TestUser, node: number): Promise<TestUser> => {
    await session.connect(at(cluster.nodes, node, 'IM node').url);
    sessions.push(session);
    return session;
  };
  /** A new user with one session on nodes[node]. */
  const userOn = async (prefix: string, node: number): Promise<TestUser> =>
    connectOn(await TestUser.register(cluster.gatewayUrl, prefix), node);
  /** Another session of the same user on nodes[node]. */
  const sessionOn = (user: TestUser, node: number): Promise<TestUser> => connectOn(TestUser.fromSession(user), node);
  /**
   * A group member that never leaves, to be connected after the group
   * exists: its handshake (not a relayed join) puts the group room in its
   * node's interest, confirmed by the gateway before the connect resolves.
   */
  const bystander = (): Promise<TestUser> => TestUser.register(cluster.gatewayUrl, 'bystander');
  /**
   * Makes the bystander a friend of the group's creator, so it is added and
   * not invited, through a session it closes again before the group exists.
   */
  const befriendBystander = async (creator: TestUser, onlooker: TestUser): Promise<void> => {
    await onlooker.connect(at(cluster.nodes, 0, 'IM node').url);
    await befriend(creator, onlooker);
    onlooker.disconnect();
  };

  /** Waits for the `joined` update naming the user that arrives after `mark` events. */
  const joinedSince = (session: TestUser, groupId: string, mark: number) =>
    until(session, 'group:update joined', () =>
      session.events
        .slice(mark)
        .find(
          (e) =>
            e.event === 'group:update' &&
            e.payload.change === 'joined' &&
            e.payload.group.id === groupId &&
            e.payload.userIds?.includes(session.id),
        ),
    );

  beforeAll(async () => {
    cluster = await startCluster({
      nodes: 3,
      name: 'removal-barrier',
      // Each round sends three messages from one user in a few milliseconds; the default 30/s limit would refuse them,
      // and hundreds of rounds of invites and sends go past the default command budget, per-user send quota and
      // per-user social quota (invitations).
      nodeEnv: {
        PARLEY_SEND_RATE_PER_SEC: '10000',
        PARLEY_SEND_BURST: '10000',
        PARLEY_COMMAND_BURST: '100000',
        PARLEY_COMMAND_RATE_PER_SEC: '100000',
        PARLEY_USER_SEND_LIMIT: '1000000',
        PARLEY_USER_SOCIAL_LIMIT: '1000000',
      },
    });
  }, 90_000);

  afterAll(async () => {
    for (const s of sessions.splice(0)) s.disconnect();
    await cluster?.stop();
  });

  it(`group:kick: over ${KICK_ROUNDS} rounds, the kicked member on a third node never gets or reads a post sent after the ack`, async () => {
    const kicker = await userOn('kicker', 0);
    const sender = await userOn('sender', 1);
    const victim = await userOn('victim', 2);
    const onlooker = await bystander();
    await befriend(kicker, victim);
    await befriend(sender, victim); // the sentinel is a DM from the sender
    // Group members are the creator's friends, so they are added rather than invited.
    await befriend(kicker, sender);
    await befriendBystander(kicker, onlooker);
    const { group } = await kicker.ok('group:create', { name: 'kick barrier', memberIds: [sender.id, onlooker.id] });
    await connectOn(onlooker, 2);
    const ledger = new RoundLedger('kick', KICK_ROUNDS);

    for (let round = 1; round <= KICK_ROUNDS; round++) {
      // Back in: the join update reaches the victim's node after its room:join (same origin node).
      const mark = victim.events.length;
      await kicker.ok('group:invite', { groupId: group.id, userIds: [victim.id] });
      await joinedSince(victim, group.id, mark);
      // Proves the path under test delivers: a post from the sender's node reaches the victim.
      const before = (await sender.ok('message:send', text(toGroup(group.id), `before kick ${round}`))).message;
      await allReceive([victim], before, `round ${round} pre-kick post`);

      await kicker.ok('group:kick', { groupId: group.id, userId: victim.id });
      const after = (await sender.ok('message:send', text(toGroup(group.id), `after kick ${round}`))).message;
      const sentinel = (await sender.ok('message:send', text(toUser(victim), `sentinel ${round}`))).message;
      await Promise.all([
        allReceive([onlooker], after, `round ${round} post after the kick, on the victim's node`),
        allReceive([victim], sentinel, `round ${round} sentinel`),
      ]);

      if (receivedMessage(victim, after.id)) {
        ledger.note(round, `victim received the post (seq ${after.seq}) sent after the kick's ack`);
      }
      await assertUnreadable(victim, group.id, after, ledger, round);
    }

    expect(ledger.summary()).toBe(ledger.clean());
  });

  it(`group:leave: over ${LEAVE_ROUNDS} rounds, the leaver's other session on a third node never gets or reads a post sent after the ack`, async () => {
    // The owner re-adds from the leaving session's node, so room:leave and the next room:join reach nodes[2] in order.
    const owner = await userOn('owner', 0);
    const leaverA = await userOn('leaver', 0);
    const leaverB = await sessionOn(leaverA, 2);
    const sender = await userOn('sender', 1);
    const onlooker = await bystander();
    await befriend(owner, leaverA);
    await befriend(sender, leaverA);
    await befriend(owner, sender);
    await befriendBystander(owner, onlooker);
    const { group } = await owner.ok('group:create', { name: 'leave barrier', memberIds: [sender.id, onlooker.id] });
    await connectOn(onlooker, 2);
    const leaver = [leaverA, leaverB];
    const ledger = new RoundLedger('leave', LEAVE_ROUNDS);

    for (let round = 1; round <= LEAVE_ROUNDS; round++) {
      const marks = leaver.map((s) => ({ session: s, mark: s.events.length }));
      await owner.ok('group:invite', { groupId: group.id, userIds: [leaverA.id] });
      await Promise.all(marks.map(({ session, mark }) => joinedSince(session, group.id, mark)));
      const before = (await sender.ok('message:send', text(toGroup(group.id), `before leave ${round}`))).message;
      await allReceive(leaver, before, `round ${round} pre-leave post`);

      await leaverA.ok('group:leave', { groupId: group.id });
      const after = (await sender.ok('message:send', text(toGroup(group.id), `after leave ${round}`))).message;
      const sentinel = (await sender.ok('message:send', text(toUser(leaverA), `sentinel ${round}`))).message;
      await Promise.all([
        allReceive([onlooker], after, `round ${round} post after the leave, on session B's node`),
        allReceive(leaver, sentinel, `round ${round} sentinel`),
      ]);

      for (const [name, session] of [['A (nodes[0])', leaverA], ['B (nodes[2])', leaverB]] as const) {
        if (receivedMessage(session, after.id)) {
          ledger.note(round, `session ${name} received the post (seq ${after.seq}) sent after the leave's ack`);
        }
      }
      await assertUnreadable(leaverB, group.id, after, ledger, round);
    }

    expect(ledger.summary()).toBe(ledger.clean());
  });

  /**
   * One round of a relation removal: the peer on nodes[1] is a friend and
   * provably reaches both of the remover's sessions (a DM and a typing);
   * then the removal is acked, and from then on the peer's DM and typing
   * are refused (docs/protocol.md: the DM rules hold for typing too) and
   * reach neither session. A witness on the peer's node sends the sentinel.
   */
  const relationRounds = async (scenario: 'block' | 'unfriend', rounds: number): Promise<void> => {
    const removerA = await userOn(`${scenario}-er`, 0);
    const removerB = await sessionOn(removerA, 2);
    const peer = await userOn(`${scenario}-peer`, 1);
    const witness = await userOn(`${scenario}-witness`, 1);
    await befriend(witness, removerA);
    const remover = [removerA, removerB];
    const conversationId = directConversationId(removerA.id, peer.id);
    const typingFromPeer = (session: TestUser): number =>
      session.eventsOf('typing').filter((t) => t.userId === peer.id && t.conversationId === conversationId).length;
    const ledger = new RoundLedger(scenario, rounds);

    for (let round = 1; round <= rounds; round++) {
      await befriend(peer, removerA);
      const hello = (await peer.ok('message:send', text(toUser(removerA), `hello ${round}`))).message;
      await allReceive(remover, hello, `round ${round} pre-removal DM`);
      await peer.ok('typing', { conversationId });
      await Promise.all(
        remover.map((s) => until(s, `round ${round} pre-removal typing`, () => (typingFromPeer(s) >= round ? true : undefined))),
      );

      if (scenario === 'block') await removerA.ok('user:block', { userId: peer.id });
      else await removerA.ok('friend:remove', { userId: peer.id });
      const refusedDm = text(toUser(removerA), `after ${scenario} ${round}`);
      const dm = await peer.command('message:send', refusedDm);
      const typing = await peer.command('typing', { conversationId });
      const sentinel = (await witness.ok('message:send', text(toUser(removerA), `sentinel ${round}`))).message;
      await allReceive(remover, sentinel, `round ${round} sentinel`);

      if (dm.ok) ledger.note(round, `the DM sent after the ${scenario} ack was accepted (seq ${dm.message.seq})`);
      if (typing.ok) ledger.note(round, `typing after the ${scenario} ack was accepted`);
      for (const [name, session] of [['A (nodes[0])', removerA], ['B (nodes[2])', removerB]] as const) {
        if (session.received.some((m) => m.clientMsgId === refusedDm.clientMsgId)) {
          ledger.note(round, `session ${name} received the DM`);
        }
        if (typingFromPeer(session) > round) ledger.note(round, `session ${name} received typing after the ${scenario}`);
      }
      if (scenario === 'block') await removerA.ok('user:unblock', { userId: peer.id });
    }

    expect(ledger.summary()).toBe(ledger.clean());
  };

  it(`user:block: over ${BLOCK_ROUNDS} rounds, the blocked user's DM and typing after the ack are refused and reach neither session of the blocker`, () =>
    relationRounds('block', BLOCK_ROUNDS));

  it(`friend:remove: over ${UNFRIEND_ROUNDS} rounds, with friends-only DMs, the ex-friend's DM and typing after the ack are refused and reach neither session`, () =>
    relationRounds('unfriend', UNFRIEND_ROUNDS));
});
