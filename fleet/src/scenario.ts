import crypto from 'node:crypto';
import { must } from '@parley/util';
import {
  SIM_PASSWORD,
  SendLedger,
  SimUser,
  Traffic,
  checkDelivery,
  createConversations,
  createGroup,
  deliveryRecords,
  mapLimit,
  type CheckReport,
} from './fault-suite';
import { Fleet, FLEET_LOG_DIR } from './fleet';
import { measurePushes, type PushReport } from './push-delays';
import { waitFor } from './wait';

export interface FleetScenarioOptions {
  /** Simulated users, all from the driver host through the one entry. @default 100 */
  users: number;
  /** Of those, the ones that sign in only once the third node is up. @default 10 */
  lateUsers: number;
  /** Groups among the first users. @default 6 */
  groups: number;
  /** Messages started per second among the first users (and half that among the late ones). @default 20 */
  ratePerSecond: number;
  /**
   * Acked messages that make each phase: the warm-up, traffic through the
   * third gateway, the window after the gateway kill, after the drain.
   * @default 60
   */
  phaseMessages: number;
  log: (line: string) => void;
}

export const FLEET_DEFAULTS: Omit<FleetScenarioOptions, 'log'> = {
  users: 100,
  lateUsers: 10,
  groups: 6,
  ratePerSecond: 20,
  phaseMessages: 60,
};

export interface FleetResult {
  counts: CheckReport;
  /** Live pushes of the messages acked between gateway 1's kill and the end of its window. */
  killWindow: PushReport;
  /** Late users the entry put on the third node. */
  onThirdNode: number;
  /** Bytes the third gateway's relay received from the nodes while traffic flowed through it. */
  thirdGatewayRelayBytes: number;
  /** Clients not connected at the end, or drained ones that never reconnected elsewhere. */
  notReconnected: number;
  problems: string[];
  durationMs: number;
  ok: boolean;
}

/** The line the issue asks for. */
export function formatFleetLine(r: FleetResult): string {
  const c = r.counts;
  return `scenario=fleet lost=${c.lost} duplicated=${c.duplicated} out_of_order=${c.outOfOrder} gaps=${c.gaps} max_push_delay_ms=${r.killWindow.maxCrossNodePushDelayMs}`;
}

/**
 * The fleet on separate hosts, grown and shrunk as an operator would, under
 * steady chat traffic from simulated users who only know the public entry:
 *
 * 1. 2 gateways and 2 IM nodes (discovering each other through Consul);
 *    the users register, befriend, make groups and chat 1:1 and in groups.
 * 2. A third gateway and a third node start; nobody's configuration changes.
 *    New sign-ins land on the third node, and the third gateway's relay
 *    carries publishes.
 * 3. Gateway 1 is killed with SIGKILL mid-traffic: every message acked in the
 *    window after must still be pushed live to every member (two gateways
 *    remain), and the longest cross-node push delay is reported.
 * 4. Node 2 drains (SIGTERM) and is removed; its clients reconnect through the
 *    entry to the other nodes.
 * 5. Every client syncs; the fault suite's checker counts lost, duplicated,
 *    out-of-order messages and gaps over what was acked and what each member holds.
 */
export async function runFleetScenario(options: FleetScenarioOptions): Promise<FleetResult> {
  const started = Date.now();
  const { log } = options;
  const problems: string[] = [];
  const problem = (text: string): void => {
    problems.push(text);
    log(`PROBLEM: ${text}`);
  };

  const fleet = await Fleet.start({ log });
  let users: SimUser[] = [];
  const traffic: Traffic[] = [];
  try {
    // 1. Two gateways, two nodes.
    // Started together, as an orchestrator would: the nodes find the gateways in Consul when they appear.
    const [firstGateways, firstNodes] = await Promise.all([fleet.addGateways(['gw-1', 'gw-2']), fleet.addNodes(['im-1', 'im-2'])]);
    await fleet.probes.waitForConsulPassing('parley-gateway', firstGateways);
    await fleet.probes.waitForConsulPassing('parley-im', firstNodes);
    await fleet.probes.waitForRelayMesh();
    await fleet.probes.waitForNodesReady();
    await fleet.probes.waitForAssignable();
    log('2 gateways and 2 nodes up: Consul passes them, every node streams to every gateway, both gateways hand out both nodes');

    const tag = crypto.randomBytes(3).toString('hex');
    users = Array.from(
      { length: options.users },
      (_, i) => new SimUser(`fleet_${tag}_${i}`, fleet.entryUrl, { gatewayUrl: fleet.entryUrl, backoff: { initialMs: 100, maxMs: 2_000 } }),
    );
    const early = users.slice(0, options.users - options.lateUsers);
    const late = users.slice(options.users - options.lateUsers);
    await mapLimit(users, 6, (u) => u.client.register(u.username, SIM_PASSWORD));
    await mapLimit(early, 20, (u) => u.client.connect());
    log(`${users.length} users registered through ${fleet.entryUrl}; ${early.length} connected: ${spread(early)}`);
    const conversations = await createConversations(early, options.groups, log);
    const ledger = new SendLedger();
    traffic.push(new Traffic(ledger, conversations, { ratePerSecond: options.ratePerSecond, label: 'fleet' }));
    traffic.at(-1)?.start();
    await waitForAcks(ledger, options.phaseMessages, 'warm-up');

    // 2. A third gateway and a third node: nothing else is told.
    const [[gw3], [im3]] = await Promise.all([fleet.addGateways(['gw-3']), fleet.addNodes(['im-3'])]);
    if (!gw3 || !im3) throw new Error('the third gateway or node did not start');
    await fleet.probes.waitForConsulPassing('parley-gateway', [gw3]);
    await fleet.probes.waitForConsulPassing('parley-im', [im3]);
    await fleet.probes.waitForRelayMesh();
    await fleet.probes.waitForNodesReady();
    await fleet.probes.waitForAssignable();
    log('gw-3 and im-3 joined: every node streams to gw-3 (found in Consul), every gateway hands out im-3');
    await mapLimit(late, 10, (u) => u.client.connect());
    const onThirdNode = late.filter((u) => u.client.nodeId === 'im-3').length;
    log(`${late.length} new sign-ins through the entry: ${spread(late)}`);
    if (onThirdNode === 0) problem('no new sign-in was assigned to im-3');
    const lateConversations = [
      ...(await createConversations(late, 1, log)),
      // Late users (some on im-3) chat with early ones (on im-1, im-2) too.
      await createGroup(must(late[0], 'a late user'), early.slice(0, 8), 'fleet-mixed'),
    ];
    conversations.push(...lateConversations);
    // From here no session comes or goes and no room changes: what the nodes send gw-3 is publishes.
    const relayBytesBefore = await fleet.relayBytesIn('gw-3');
    traffic.push(new Traffic(ledger, lateConversations, { ratePerSecond: Math.max(1, options.ratePerSecond / 2), label: 'fleet-late' }));
    traffic.at(-1)?.start();
    await waitForAcks(ledger, options.phaseMessages, 'traffic with the third gateway');
    const thirdGatewayRelayBytes = (await fleet.relayBytesIn('gw-3')) - relayBytesBefore;
    log(`gw-3's relay received ${thirdGatewayRelayBytes} bytes from the nodes meanwhile`);
    // An idle relay received 0 bytes in 8 s here (measured); a publish frame is a few hundred bytes and gw-3
    // gets about a third of them (4–11 KB over this phase in our runs), so 1 KB means a few publishes at least.
    if (thirdGatewayRelayBytes < 1_024) problem(`gw-3's relay received only ${thirdGatewayRelayBytes} bytes: it carries no publishes`);

    // 3. kill -9 gateway 1 mid-traffic.
    const killAt = Date.now();
    log(`kill -9 gw-1 at ${ledger.ackedCount} acked`);
    await fleet.killGateway('gw-1');
    await waitForAcks(ledger, options.phaseMessages, 'the window after the gateway kill');
    const killWindowEnd = Date.now();
    log(`kill window: ${killWindowEnd - killAt} ms`);

    // 4. Drain node 2 and remove it.
    const drained = users.filter((u) => u.client.nodeId === 'im-2');
    const drainAt = Date.now();
    log(`SIGTERM im-2 (${drained.length} clients on it)`);
    const code = await fleet.drainNode('im-2');
    if (code !== 0) problem(`im-2 exited with ${code} after draining`);
    log('im-2 drained, exited and left DNS');
    await fleet.probes.waitForAssignable();
    await waitForAcks(ledger, options.phaseMessages, 'traffic after the drain');

    for (const t of traffic) t.stop();
    await ledger.settle();
    log(`traffic stopped: ${ledger.ackedCount} acked`);
    for (const f of ledger.failures.slice(0, 10)) problem(`send by ${f.username} to ${f.conversationId} failed: ${f.error}`);
    const notReconnected = await waitForReconnects(users, drained, drainAt, log);

    const killWindow = measurePushes({ from: killAt, to: killWindowEnd }, conversations, ledger.acked, ledger.acks);
    log(
      `kill window: ${killWindow.messages} messages, ${killWindow.owed} pushes owed, ${killWindow.crossNode} across nodes, ` +
        `longest ${killWindow.maxCrossNodePushDelayMs} ms, ${killWindow.notPushed} never pushed`,
    );
    for (const example of killWindow.notPushedExamples) log(`not pushed live: ${example}`);

    await mapLimit(users, 20, (u) => u.client.syncNow());
    const counts = checkDelivery(deliveryRecords(conversations, ledger));
    for (const finding of counts.findings.slice(0, 20)) log(`finding: ${finding}`);
    log(`${counts.acked} acked messages checked; logs in ${FLEET_LOG_DIR}`);

    const ok =
      counts.lost === 0 &&
      counts.duplicated === 0 &&
      counts.outOfOrder === 0 &&
      counts.gaps === 0 &&
      counts.acked > 0 &&
      killWindow.messages > 0 &&
      killWindow.notPushed === 0 &&
      notReconnected === 0 &&
      problems.length === 0;
    return { counts, killWindow, onThirdNode, thirdGatewayRelayBytes, notReconnected, problems, durationMs: Date.now() - started, ok };
  } finally {
    for (const t of traffic) t.stop();
    await Promise.all(users.map((u) => u.client.close()));
    await fleet.stop();
  }

  /** Waits until `count` more messages are acked than now: phases end on traffic seen, not on time. */
  async function waitForAcks(ledger: SendLedger, count: number, phase: string): Promise<void> {
    const target = ledger.ackedCount + count;
    await waitFor(`${count} acks (${phase})`, 60_000, () => (ledger.ackedCount >= target ? true : `${ledger.ackedCount} of ${target}`));
  }
}

/** Waits until every client is connected and each drained one reconnected to another node; answers how many did not. */
async function waitForReconnects(users: readonly SimUser[], drained: readonly SimUser[], since: number, log: (line: string) => void): Promise<number> {
  const stragglers = (): SimUser[] => [
    ...users.filter((u) => !u.connected),
    ...drained.filter((u) => u.connected && !u.reconnects.some((r) => r.at >= since && r.nodeId !== 'im-2')),
  ];
  try {
    await waitFor('every client connected, drained ones elsewhere', 30_000, () => stragglers().length === 0 || `${stragglers().length} not yet`);
    log(`every client connected; ${drained.length} drained clients now on ${spread(drained)}`);
    return 0;
  } catch {
    const left = stragglers();
    log(`${left.length} clients did not come back: ${left.slice(0, 5).map((u) => `${u.username}(${u.client.state}, ${u.client.nodeId})`).join(', ')}`);
    return left.length;
  }
}

/** `im-1: 45, im-2: 45`: where clients are. */
function spread(users: readonly SimUser[]): string {
  const counts = new Map<string, number>();
  for (const u of users) counts.set(u.client.nodeId ?? 'none', (counts.get(u.client.nodeId ?? 'none') ?? 0) + 1);
  return [...counts].sort().map(([node, n]) => `${node}: ${n}`).join(', ');
}
