import { describe, expect, it } from '@jest/globals';
import type { Fleet } from '@parley/protocol';
import { EMPTY_HISTORY, HISTORY_WINDOW_MS, SILENT_AFTER_MS, chartData, recordFleet, type FleetHistory } from './fleet-history';
import { fleet, node } from './test-fleet';

/** Polls every 2 s from t=0, each answered at once (the gateway's clock and the browser's agree); nodes report at the poll's time unless told. */
function polls(count: number, perPoll: (i: number) => Parameters<typeof node>[1][]): FleetHistory {
  let history = EMPTY_HISTORY;
  for (let i = 0; i < count; i++) {
    const at = i * 2_000;
    history = recordFleet(history, fleet(at, perPoll(i).map((fields, n) => node(`im-${n + 1}`, { reportedAt: at, ...fields }))), at);
  }
  return history;
}

/** A fleet as the gateway `gatewayId` answers it. */
function fleetFrom(gatewayId: string, at: number, nodes: Fleet['nodes']): Fleet {
  return { ...fleet(at, nodes), gateways: [{ gatewayId, self: true, nodes: nodes.map((n) => n.nodeId) }] };
}

describe('recordFleet (the last five minutes, as chart columns)', () => {
  it('draws gauges at once and rates from the second report on', () => {
    const history = polls(3, (i) => [{ sockets: 10 + i, messagesAccepted: i * 20 }]);
    expect(history.times).toEqual([0, 2, 4]);
    const im1 = history.series.get('im-1');
    expect(im1?.sockets).toEqual([10, 11, 12]);
    expect(im1?.messagesAccepted).toEqual([null, 10, 10]);
    expect(history.latest.get('im-1')?.rates?.messagesAccepted).toBe(10);
  });

  it('keeps the last rate while a node sends no new report, instead of dropping to zero', () => {
    // The node reports every 4 s, the console polls every 2 s: every other poll sees the same report.
    const history = polls(5, (i) => [{ messagesAccepted: Math.floor(i / 2) * 40, reportedAt: Math.floor(i / 2) * 4_000 }]);
    expect(history.series.get('im-1')?.messagesAccepted).toEqual([null, null, 10, 10, 10]);
  });

  it('shows no negative rate across a node restart', () => {
    const history = polls(4, (i) => [i < 2 ? { messagesAccepted: 1_000 + i * 10 } : { messagesAccepted: (i - 2) * 10, startedAt: 3_000 }]);
    const rates = history.series.get('im-1')?.messagesAccepted ?? [];
    expect(rates.every((r) => r === null || r >= 0)).toBe(true);
    expect(rates).toEqual([null, 5, 0, 5]);
  });

  it('aligns a node that joins later with nulls before it came, and keeps each node in the order first seen', () => {
    const history = polls(3, (i) => (i === 0 ? [{ sockets: 1 }] : [{ sockets: 1 }, { sockets: 7 }]));
    expect([...history.series.keys()]).toEqual(['im-1', 'im-2']);
    expect(history.series.get('im-2')?.sockets).toEqual([null, 7, 7]);
  });

  it('keeps a node that left while it has points in the window, with nulls since', () => {
    const history = polls(3, (i) => (i === 0 ? [{ sockets: 1 }, { sockets: 2 }] : [{ sockets: 1 }]));
    expect(history.series.get('im-2')?.sockets).toEqual([2, null, null]);
    expect(history.latest.has('im-2')).toBe(false);
  });

  it(`keeps ${HISTORY_WINDOW_MS / 60_000} minutes of samples and forgets a node with nothing left in them`, () => {
    const count = HISTORY_WINDOW_MS / 2_000 + 20;
    const history = polls(count, (i) => (i < 5 ? [{ sockets: 1 }, { sockets: 2 }] : [{ sockets: 1 }]));
    const newest = (count - 1) * 2;
    expect(history.times.length).toBe(HISTORY_WINDOW_MS / 2_000 + 1);
    expect(history.times[0]).toBe(newest - HISTORY_WINDOW_MS / 1000);
    for (const column of Object.values(history.series.get('im-1') ?? {})) expect(column.length).toBe(history.times.length);
    expect(history.series.has('im-2')).toBe(false);
  });

  it('ignores an answer received no later than the last (the browser clock stepped back)', () => {
    const once = recordFleet(EMPTY_HISTORY, fleet(4_000, [node('im-1', { sockets: 3 })]), 4_000);
    expect(recordFleet(once, fleet(6_000, [node('im-1', { sockets: 9 })]), 2_000)).toBe(once);
    expect(recordFleet(once, fleet(6_000, [node('im-1', { sockets: 9 })]), 4_000)).toBe(once);
  });
});

describe('recordFleet: a node that falls silent shows no rate', () => {
  it("drops a stale node's rates at once: no msgs/s in the table or the totals, a gap in the charts", () => {
    const history = polls(4, (i) => [{ messagesAccepted: i * 20, health: i === 3 ? 'stale' : 'ready', reportedAt: Math.min(i, 2) * 2_000 }]);
    expect(history.series.get('im-1')?.messagesAccepted).toEqual([null, 10, 10, null]);
    expect(history.latest.get('im-1')).toMatchObject({ silent: true, rates: undefined });
    // Its gauges are still drawn as reported: the health column says how old they are.
    expect(history.series.get('im-1')?.sockets).toEqual([0, 0, 0, 0]);
  });

  it(`clears the rates of a node whose report has not moved for more than ${SILENT_AFTER_MS / 1000} s (hung, health not yet stale), and draws them again on its next report`, () => {
    // Reports at 0 and 2 s, then the same report until a new one at 12 s.
    const reportedAt = (i: number) => (i <= 1 ? i * 2_000 : i < 6 ? 2_000 : 12_000);
    const history = polls(7, (i) => [{ messagesAccepted: reportedAt(i) / 100, reportedAt: reportedAt(i) }]);
    // Same report seen for 2 s and for 4 s: kept (two polls); for 6 s: silent.
    expect(history.series.get('im-1')?.messagesAccepted).toEqual([null, 10, 10, 10, null, null, 10]);
    expect(history.latest.get('im-1')).toMatchObject({ silent: false, rates: { messagesAccepted: 10 } });
  });

  it('keeps the rates of a node whose reports keep coming while another stops', () => {
    const history = polls(5, (i) => [{ messagesAccepted: i * 20 }, { messagesAccepted: Math.min(i, 1) * 20, reportedAt: Math.min(i, 1) * 2_000 }]);
    expect(history.series.get('im-1')?.messagesAccepted).toEqual([null, 10, 10, 10, 10]);
    expect(history.series.get('im-2')?.messagesAccepted).toEqual([null, 10, 10, 10, null]);
    expect(history.latest.get('im-2')?.silent).toBe(true);
  });
});

describe('recordFleet: polls landing on gateways whose clocks differ', () => {
  it("places every answer at the browser's receive time, so a gateway 30 s behind loses no sample", () => {
    let history = EMPTY_HISTORY;
    for (let i = 0; i < 4; i++) {
      const received = 100_000 + i * 2_000;
      // gw-1 is on time, gw-2 30 s behind: by `at`, every other answer would be older than the one before.
      const answer = i % 2 === 0 ? fleetFrom('gw-1', received, []) : fleetFrom('gw-2', received - 30_000, []);
      history = recordFleet(history, { ...answer, nodes: [node('im-1', { sockets: i, messagesAccepted: i * 20, reportedAt: 50_000 + i * 2_000 })] }, received);
    }
    expect(history.times).toEqual([100, 102, 104, 106]);
    expect(history.series.get('im-1')?.sockets).toEqual([0, 1, 2, 3]);
    expect(history.series.get('im-1')?.messagesAccepted).toEqual([null, 10, 10, 10]);
  });

  it("keeps the rates when another gateway still holds an older report of the node, without counting it as new", () => {
    const newer = node('im-1', { messagesAccepted: 40, reportedAt: 4_000 });
    let history = recordFleet(EMPTY_HISTORY, fleetFrom('gw-1', 2_000, [node('im-1', { messagesAccepted: 20, reportedAt: 2_000 })]), 2_000);
    history = recordFleet(history, fleetFrom('gw-1', 4_000, [newer]), 4_000);
    // gw-2 has not had the 4 s report yet.
    history = recordFleet(history, fleetFrom('gw-2', 5_000, [node('im-1', { messagesAccepted: 20, reportedAt: 2_000 })]), 6_000);
    expect(history.latest.get('im-1')).toMatchObject({ report: newer, seenAt: 4_000, rates: { messagesAccepted: 10 } });
    // And the older report seen again does not keep a hung node looking alive.
    history = recordFleet(history, fleetFrom('gw-2', 9_000, [node('im-1', { messagesAccepted: 20, reportedAt: 2_000 })]), 10_000);
    expect(history.latest.get('im-1')).toMatchObject({ silent: true, rates: undefined });
  });
});

describe('chartData', () => {
  it('gives uPlot the times and the asked columns, an unknown node as all nulls', () => {
    const history = polls(2, () => [{ sockets: 4 }]);
    expect(
      chartData(history, [
        { nodeId: 'im-1', key: 'sockets' },
        { nodeId: 'im-9', key: 'sockets' },
      ]),
    ).toEqual([
      [0, 2],
      [4, 4],
      [null, null],
    ]);
  });
});
