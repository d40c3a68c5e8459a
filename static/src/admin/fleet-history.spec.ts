import { describe, expect, it } from '@jest/globals';
import { EMPTY_HISTORY, HISTORY_WINDOW_MS, chartData, recordFleet, type FleetHistory } from './fleet-history';
import { fleet, node } from './test-fleet';

/** Polls every 2 s from t=0; node reports at the poll's time with `sent` messages in total so far. */
function polls(count: number, perPoll: (i: number) => Parameters<typeof node>[1][]): FleetHistory {
  let history = EMPTY_HISTORY;
  for (let i = 0; i < count; i++) {
    const at = i * 2_000;
    history = recordFleet(history, fleet(at, perPoll(i).map((fields, n) => node(`im-${n + 1}`, { reportedAt: at, ...fields }))));
  }
  return history;
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

  it('ignores a poll not newer than the last (answers arriving out of order)', () => {
    const once = recordFleet(EMPTY_HISTORY, fleet(4_000, [node('im-1', { sockets: 3 })]));
    expect(recordFleet(once, fleet(2_000, [node('im-1', { sockets: 9 })]))).toBe(once);
    expect(recordFleet(once, fleet(4_000, [node('im-1', { sockets: 9 })]))).toBe(once);
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
