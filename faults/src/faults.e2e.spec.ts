import type { ScenarioName } from './scenarios';
import { FAST_PROFILE, formatResultLine, runScenario, type ScenarioResult } from './suite';

/**
 * The CI subset of the fault-injection suite (the full suite is
 * `npm run test:faults`): kill -9 of a node, SIGTERM drain of a node, and 50
 * concurrent senders to one group, with the fast profile (30 users, short
 * phases). Each scenario runs its own cluster of real processes with its own
 * MariaDB and Redis, so it needs no global services.
 */
jest.setTimeout(120_000);

const lines: string[] = [];
afterAll(() => {
  // The same one-line figures as the CLI, for the CI log.
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
});

async function run(name: ScenarioName): Promise<ScenarioResult> {
  const notes: string[] = [];
  const result = await runScenario(name, { ...FAST_PROFILE, log: (line) => notes.push(line) });
  lines.push(formatResultLine(result));
  if (!result.ok) process.stderr.write(`${notes.join('\n')}\n`);
  return result;
}

const expectClean = (result: ScenarioResult): void => {
  expect({
    lost: result.counts.lost,
    duplicated: result.counts.duplicated,
    outOfOrder: result.counts.outOfOrder,
    gaps: result.counts.gaps,
    notReconnected: result.notReconnected,
    problems: result.problems,
  }).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0, gaps: 0, notReconnected: 0, problems: [] });
};

describe('fault injection (CI subset)', () => {
  it('loses, duplicates and reorders nothing when a node is killed with SIGKILL mid-traffic', async () => {
    const result = await run('kill9');
    expectClean(result);
    expect(result.counts.acked).toBeGreaterThan(0);
    // Every client of the killed node came back through the gateway.
    expect(result.reconnect.count).toBeGreaterThan(0);
  });

  it('loses, duplicates and reorders nothing when a node drains on SIGTERM', async () => {
    const result = await run('drain');
    expectClean(result);
    expect(result.counts.acked).toBeGreaterThan(0);
    expect(result.reconnect.count).toBeGreaterThan(0);
  });

  it('gives 50 concurrent senders to one group unique, strictly increasing seqs', async () => {
    const result = await run('group-50');
    expectClean(result);
    expect(result.counts.acked).toBe(FAST_PROFILE.groupSenders * FAST_PROFILE.messagesPerSender);
  });
});
