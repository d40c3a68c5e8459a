import { fleetUnavailableReason } from './preflight';
import { FLEET_DEFAULTS, formatFleetLine, runFleetScenario } from './scenario';

/**
 * The fleet on separate hosts (network namespaces, nginx as the one entry),
 * grown and shrunk under traffic: see runFleetScenario. The same run as
 * `npm run test:fleet`. Needs root, `ip` and nginx; skips saying so otherwise.
 */
jest.setTimeout(300_000);

const unavailable = fleetUnavailableReason();
if (unavailable) process.stderr.write(`fleet proof skipped: ${unavailable}\n`);
const maybe = unavailable ? describe.skip : describe;

maybe('a fleet on separate hosts', () => {
  it('grows by a gateway and a node, loses gateway 1 to kill -9 and drains node 2 without losing, duplicating or reordering a message', async () => {
    const notes: string[] = [];
    const result = await runFleetScenario({ ...FLEET_DEFAULTS, log: (line) => notes.push(line) });
    process.stdout.write(`${formatFleetLine(result)}\n`);
    if (!result.ok) process.stderr.write(`${notes.join('\n')}\n`);
    expect({
      lost: result.counts.lost,
      duplicated: result.counts.duplicated,
      outOfOrder: result.counts.outOfOrder,
      gaps: result.counts.gaps,
      notPushedWhileAGatewayLived: result.killWindow.notPushed,
      notReconnected: result.notReconnected,
      problems: result.problems,
    }).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0, gaps: 0, notPushedWhileAGatewayLived: 0, notReconnected: 0, problems: [] });
    expect(result.counts.acked).toBeGreaterThan(0);
    expect(result.killWindow.messages).toBeGreaterThan(0);
    expect(result.onThirdNode).toBeGreaterThan(0);
  });
});
