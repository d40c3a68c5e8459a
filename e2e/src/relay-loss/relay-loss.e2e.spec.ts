import { MAX_TEXT_LENGTH, groupConversationId, type Message } from '@parley/protocol';
import { at, findFreePort, startCluster, waitFor, type Cluster, type ClusterNode } from '@parley/testing';
import { must } from '@parley/util';
import { TestUser, befriend } from '../support/test-user';
import { startCuttableLink, type CuttableLink } from './cuttable-link';
import { PushLog, caughtUp, metricValue, type Verdict } from './loss-watch';

/**
 * Issue 16, "no silent loss of a live push": drops are forced where the relay
 * makes them, with real processes, and every online member in a room whose
 * pushes were dropped must either have had them all live or be told to sync
 * (`server:resync`), after which a `sync` from before the burst returns
 * exactly the burst, in order.
 *
 * 1. A gateway's queue toward a node overflows: node B is frozen (SIGSTOP)
 *    while a member on node A sends, with the gateway's queue bound set
 *    tiny (PARLEY_RELAY_MAX_QUEUED_FRAMES). The burst goes on until the
 *    gateway's /metrics counts a `queue_full` drop, then a little more.
 *    Node B's relay stream stays up throughout (the freeze is far shorter
 *    than the relay's keepalive), so the only notice B can send is the one
 *    for the lost rooms: a session of B in another room gets none.
 * 2. An origin's outbox overflows: the only gateway is stopped, node A
 *    keeps at most PARLEY_RELAY_OUTBOX_LIMIT frames of the burst and drops
 *    the rest, then the gateway comes back.
 */
jest.setTimeout(180_000);

/** A burst that has not made the gateway drop by now never will: the bound is not in force. */
const MAX_BURST = 500;
/** Sends between two looks at the gateway's drop counter (a process serializes /metrics at most once a second). */
const STEP = 10;
/**
 * Burst posts are as long as a text may be: HTTP/2 flow control stops the
 * gateway's writes to a frozen node after its 64 KiB window, so about 16
 * such frames fill it and the queue bound is passed a few sends later. The
 * freeze stays around a second, far below the relay's keepalive (a ping
 * unanswered for 5 s would cut the stream and turn the test into a relay-gap
 * one).
 */
const LONG_TEXT = 'x'.repeat(MAX_TEXT_LENGTH);

const NODE_ENV = {
  PARLEY_SEND_RATE_PER_SEC: '100000',
  PARLEY_SEND_BURST: '100000',
  PARLEY_COMMAND_BURST: '100000',
  PARLEY_COMMAND_RATE_PER_SEC: '100000',
  PARLEY_USER_SEND_LIMIT: '1000000',
  // A frozen node misses heartbeats: its sessions must not expire from presence meanwhile.
  PARLEY_PRESENCE_TTL_MS: '120000',
  // The resync window: notices are coalesced per session within it.
  PARLEY_DRAIN_SPREAD_MS: '200',
};

const toGroup = (groupId: string) => ({ type: 'group' as const, id: groupId });

/** A test's users: one session each on a chosen node, disconnected at the end. */
class Sessions {
  private readonly all: TestUser[] = [];

  constructor(private readonly cluster: () => Cluster) {}

  async userOn(prefix: string, node: number): Promise<TestUser> {
    return this.connect(await TestUser.register(this.cluster().gatewayUrl, prefix), node);
  }

  sessionOn(user: TestUser, node: number): Promise<TestUser> {
    return this.connect(TestUser.fromSession(user), node);
  }

  closeAll(): void {
    for (const s of this.all.splice(0)) s.disconnect();
  }

  private async connect(session: TestUser, node: number): Promise<TestUser> {
    await session.connect(at(this.cluster().nodes, node, 'IM node').url);
    this.all.push(session);
    return session;
  }
}

/** A group of `owner` with `members` (made friends first, so they are added), proven to reach every log by a first post. */
async function liveGroup(owner: TestUser, members: readonly TestUser[], logs: readonly PushLog[]): Promise<{ groupId: string; conversationId: string; first: Message }> {
  for (const member of new Set(members.map((m) => m.id))) {
    await befriend(owner, must(members.find((m) => m.id === member), member));
  }
  const { group } = await owner.ok('group:create', { name: 'relay loss', memberIds: [...new Set(members.map((m) => m.id))] });
  const conversationId = groupConversationId(group.id);
  const first = await owner.sendText(toGroup(group.id), 'first');
  await Promise.all(logs.map((log) => log.until('the first post', () => log.liveIds(conversationId).includes(first.id))));
  return { groupId: group.id, conversationId, first };
}

/** One line per session: how much came live, whether it was told to resync, what went wrong. */
const describeVerdicts = (verdicts: readonly Verdict[], sent: number): string[] =>
  verdicts.map((v, i) => `session ${i}: ${v.live}/${sent} live, ${v.resynced ? 'resynced' : 'no resync'}${v.problems.length ? `: ${v.problems.join('; ')}` : ''}`);

/**
 * Posts once more to the room and waits until every log has it: relay frames
 * from one origin to one node keep their order (one gateway), so whatever of
 * the burst was going to arrive live has arrived by then.
 */
async function settle(sender: TestUser, room: { groupId: string; conversationId: string }, logs: readonly PushLog[]): Promise<void> {
  const last = await sender.sendText(toGroup(room.groupId), 'settled');
  await Promise.all(logs.map((log) => log.until('the post after the burst', () => log.liveIds(room.conversationId).includes(last.id))));
}

/** Ids of `sent` that a session got live, in arrival order. */
const liveOf = (log: PushLog, conversationId: string, sent: readonly Message[]): string[] => {
  const ids = new Set(sent.map((m) => m.id));
  return log.liveIds(conversationId).filter((id) => ids.has(id));
};

/** Ready relay streams of node `index`, from its /metrics. */
const streamsUp = (cluster: Cluster, index: number): Promise<number> =>
  metricValue(at(cluster.nodes, index, 'IM node').url, 'parley_relay_streams_up', {});

/** Runs `body` with `node` frozen, and always thaws it. */
async function whileFrozen<T>(node: ClusterNode, body: () => Promise<T>): Promise<T> {
  const pid = must(node.child.pid, `${node.nodeId} pid`);
  process.kill(pid, 'SIGSTOP');
  try {
    return await body();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

describe('a gateway whose queue toward a frozen node overflows makes that node resync the lost rooms (issue 16)', () => {
  let cluster: Cluster;
  const sessions = new Sessions(() => cluster);

  beforeAll(async () => {
    cluster = await startCluster({
      nodes: 2,
      name: 'relay-loss-queue',
      gatewayEnv: { PARLEY_RELAY_MAX_QUEUED_FRAMES: '4' },
      nodeEnv: NODE_ENV,
    });
  }, 90_000);

  afterAll(async () => {
    sessions.closeAll();
    await cluster?.stop();
  });

  it('every session on the frozen node got the burst live or a resync and then all of it by sync; a room with no drop gets no resync', async () => {
    const sender = await sessions.userOn('sender', 0);
    const onA = await sessions.userOn('member-a', 0);
    const m1 = await sessions.userOn('member-b', 1);
    const m2 = await sessions.userOn('member-b2', 1);
    const m2other = await sessions.sessionOn(m2, 1);
    const quietOwner = await sessions.userOn('quiet-owner', 0);
    const quiet = await sessions.userOn('quiet', 1);
    const logs = [m1, m2, m2other].map((s) => new PushLog(s));
    const onALog = new PushLog(onA);
    const quietLog = new PushLog(quiet);

    const loud = await liveGroup(sender, [m1, m2, onA], [...logs, onALog]);
    const still = await liveGroup(quietOwner, [quiet], [quietLog]);

    const gatewayUrl = cluster.gateway.url;
    const dropped = (): Promise<number> => metricValue(gatewayUrl, 'parley_relay_frames_dropped_total', { reason: 'queue_full' });
    const droppedBefore = await dropped();
    const mark = Math.min(...logs.map((l) => l.mark()));
    const sent: Message[] = [];
    const send = async (): Promise<void> => {
      const label = `burst ${sent.length + 1} `;
      sent.push(await sender.sendText(toGroup(loud.groupId), label + LONG_TEXT.slice(label.length)));
    };

    let droppedDuring = 0;
    await whileFrozen(at(cluster.nodes, 1, 'IM node'), async () => {
      while (droppedDuring === 0) {
        if (sent.length >= MAX_BURST) throw new Error(`${MAX_BURST} sends toward a frozen node and the gateway dropped none`);
        for (let i = 0; i < STEP; i++) await send();
        droppedDuring = (await dropped()) - droppedBefore;
      }
      // The loss sits inside the burst, not at its end: later pushes must not hide it.
      for (let i = 0; i < STEP; i++) await send();
    });

    const verdicts = await Promise.all(logs.map((log) => caughtUp(log, loud.conversationId, loud.first.seq, sent, mark)));
    const report = describeVerdicts(verdicts, sent.length);
    expect(verdicts.flatMap((v) => v.problems)).toEqual([]);
    // Drops toward node B lose the same frames for all its sessions: each of them must have been told.
    expect(report.filter((line) => !line.includes('resynced'))).toEqual([]);
    // Every frame toward node B was delivered or counted as dropped, none vanished: B's sessions got live exactly the rest, once each.
    await settle(sender, loud, [...logs, onALog]);
    const droppedTotal = (await dropped()) - droppedBefore;
    const liveCounts = logs.map((log) => liveOf(log, loud.conversationId, sent).length);
    expect(liveCounts).toEqual(logs.map(() => sent.length - droppedTotal));
    // The member on the sender's node got everything live, once.
    expect(liveOf(onALog, loud.conversationId, sent)).toEqual(sent.map((m) => m.id));

    // The quiet room lost nothing: once a later post of it is in, no resync came before it.
    const sentinel = await quietOwner.sendText(toGroup(still.groupId), 'after the freeze');
    await quietLog.until('the quiet room sentinel', () => quietLog.liveIds(still.conversationId).includes(sentinel.id));
    expect(quietLog.resyncsSince(0)).toBe(0);
    expect(droppedDuring).toBeGreaterThan(0);
    console.log(`relay-loss queue: burst ${sent.length}, gateway dropped ${droppedTotal}, live in the end ${liveCounts.join('/')}; at the resync ${report.join('; ')}`);
  });
});

describe('an origin node whose outbox overflows while no gateway is reachable makes the receivers resync (issue 16)', () => {
  const OUTBOX_LIMIT = 3;
  const BURST = 12;
  let cluster: Cluster;
  let link: CuttableLink;
  const sessions = new Sessions(() => cluster);
  /** Read by the harness at each node start: node A is restarted to dial the gateway through `link`. */
  const nodeEnv: Record<string, string> = { ...NODE_ENV, PARLEY_RELAY_OUTBOX_LIMIT: String(OUTBOX_LIMIT) };

  beforeAll(async () => {
    const linkPort = await findFreePort();
    link = await startCuttableLink(linkPort, () => cluster?.relayAddress);
    cluster = await startCluster({
      nodes: 2,
      name: 'relay-loss-outbox',
      // Node A's relay proof names the address it dials: the link's.
      gatewayEnv: { PARLEY_RELAY_AUDIENCES: link.address },
      nodeEnv,
    });
    nodeEnv.PARLEY_GATEWAYS = link.address;
    await cluster.restartNode(0);
    delete nodeEnv.PARLEY_GATEWAYS;
    await waitFor('node A relayed through the link', () => streamsUp(cluster, 0), (up) => up === 1);
  }, 120_000);

  afterAll(async () => {
    sessions.closeAll();
    await cluster?.stop();
    await link?.stop();
  });

  /** Node A's `outbox_full` drops so far. */
  const outboxDropped = (): Promise<number> =>
    metricValue(at(cluster.nodes, 0, 'IM node').url, 'parley_relay_frames_dropped_total', { reason: 'outbox_full' });

  /** Users on A (sender, quiet room owner) and B (two members, one with two sessions; a quiet room member), rooms proven live. */
  const setUp = async () => {
    const sender = await sessions.userOn('sender', 0);
    const m1 = await sessions.userOn('member-b', 1);
    const m2 = await sessions.userOn('member-b2', 1);
    const m2other = await sessions.sessionOn(m2, 1);
    const quietOwner = await sessions.userOn('quiet-owner', 0);
    const quiet = await sessions.userOn('quiet', 1);
    const logs = [m1, m2, m2other].map((s) => new PushLog(s));
    const quietLog = new PushLog(quiet);
    const loud = await liveGroup(sender, [m1, m2], logs);
    const still = await liveGroup(quietOwner, [quiet], [quietLog]);
    const burst = async (): Promise<Message[]> => {
      const sent: Message[] = [];
      for (let i = 0; i < BURST; i++) sent.push(await sender.sendText(toGroup(loud.groupId), `burst ${i + 1}`));
      return sent;
    };
    return { sender, quietOwner, logs, quietLog, loud, still, burst };
  };

  it(`node A alone cut off, a burst of ${BURST} past an outbox of ${OUTBOX_LIMIT}: the sessions on B in that room get a resync (relay:lost) and sync it all; B's quiet room gets none`, async () => {
    const { sender, quietOwner, logs, quietLog, loud, still, burst } = await setUp();
    const droppedBefore = await outboxDropped();

    link.cut();
    await waitFor('node A without a relay stream', () => streamsUp(cluster, 0), (up) => up === 0);
    const sent = await burst();
    const droppedDuring = (await outboxDropped()) - droppedBefore;
    expect(droppedDuring).toBeGreaterThanOrEqual(BURST - OUTBOX_LIMIT);

    const mark = Math.min(...logs.map((l) => l.mark()));
    link.mend();
    const verdicts = await Promise.all(logs.map((log) => caughtUp(log, loud.conversationId, loud.first.seq, sent, mark)));
    const report = describeVerdicts(verdicts, sent.length);
    expect(verdicts.flatMap((v) => v.problems)).toEqual([]);
    expect(report.filter((line) => !line.includes('resynced'))).toEqual([]);
    // The outbox dropped the oldest and flushed what it kept once a gateway was back: that tail, and only it, arrived live.
    await settle(sender, loud, logs);
    const keptTail = sent.slice(droppedDuring).map((m) => m.id);
    expect(logs.map((log) => liveOf(log, loud.conversationId, sent))).toEqual(logs.map(() => keptTail));

    // Node B never lost its relay (that would resync every session): the quiet room's member got no notice before a later post of it.
    const sentinel = await quietOwner.sendText(toGroup(still.groupId), 'after the cut');
    await quietLog.until('the quiet room sentinel', () => quietLog.liveIds(still.conversationId).includes(sentinel.id));
    expect(quietLog.resyncsSince(0)).toBe(0);
    console.log(`relay-loss outbox (node A cut off): burst ${sent.length}, outbox dropped ${droppedDuring}; ${report.join('; ')}`);
  });

  it(`the only gateway stopped, a burst of ${BURST}: once it is back every receiving session gets a resync and sync gets it all`, async () => {
    const { logs, loud, burst } = await setUp();
    const droppedBefore = await outboxDropped();

    await cluster.stopGateway(0);
    await waitFor('node A without a relay stream', () => streamsUp(cluster, 0), (up) => up === 0);
    const sent = await burst();
    const droppedDuring = (await outboxDropped()) - droppedBefore;
    expect(droppedDuring).toBeGreaterThanOrEqual(BURST - OUTBOX_LIMIT);

    // Node B lost its relay too, and resynced every session then; what counts is a notice once the gateway is back.
    const mark = Math.min(...logs.map((l) => l.mark()));
    await cluster.restartGateway(0);
    const verdicts = await Promise.all(logs.map((log) => caughtUp(log, loud.conversationId, loud.first.seq, sent, mark)));
    const report = describeVerdicts(verdicts, sent.length);
    expect(verdicts.flatMap((v) => v.problems)).toEqual([]);
    expect(report.filter((line) => !line.includes('resynced'))).toEqual([]);
    console.log(`relay-loss outbox (gateway stopped): burst ${sent.length}, outbox dropped ${droppedDuring}; ${report.join('; ')}`);
  });
});
