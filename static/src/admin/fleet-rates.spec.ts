import { describe, expect, it } from '@jest/globals';
import { counterRate, nodeRates } from './fleet-rates';
import { node } from './test-fleet';

describe('counterRate (per second, from two totals of one node)', () => {
  it("divides the increase by the time between the node's reports", () => {
    const prev = node('im-1', { messagesAccepted: 100, reportedAt: 10_000 });
    const next = node('im-1', { messagesAccepted: 130, reportedAt: 12_000 });
    expect(counterRate(prev, next, 'messagesAccepted')).toBe(15);
  });

  it("uses the node's clock, not when the gateway received it or when we polled", () => {
    const prev = node('im-1', { deliveries: 0, reportedAt: 10_000, receivedAt: 50_000 });
    const next = node('im-1', { deliveries: 40, reportedAt: 14_000, receivedAt: 50_100 });
    expect(counterRate(prev, next, 'deliveries')).toBe(10);
  });

  it('is undefined for the same report seen twice (no time passed)', () => {
    const report = node('im-1', { relayFramesIn: 5, reportedAt: 10_000 });
    expect(counterRate(report, report, 'relayFramesIn')).toBeUndefined();
  });

  it('counts a restarted node from zero since its start: never a negative rate', () => {
    // Restart seen by a new startedAt: 20 messages in the 2 s it has run.
    const before = node('im-1', { messagesAccepted: 5_000, startedAt: 0, reportedAt: 10_000 });
    const restarted = node('im-1', { messagesAccepted: 20, startedAt: 14_000, reportedAt: 16_000 });
    expect(counterRate(before, restarted, 'messagesAccepted')).toBe(10);
    // Restart seen only by a total that went down (same startedAt, e.g. a clock that did not move): counted from zero over the interval.
    const reset = node('im-1', { messagesAccepted: 30, startedAt: 0, reportedAt: 13_000 });
    expect(counterRate(before, reset, 'messagesAccepted')).toBe(10);
  });

  it('is undefined when the restarted node reports from before its own start (a clock step), never negative', () => {
    const before = node('im-1', { messagesAccepted: 50, startedAt: 0, reportedAt: 10_000 });
    const odd = node('im-1', { messagesAccepted: 10, startedAt: 12_000, reportedAt: 11_000 });
    expect(counterRate(before, odd, 'messagesAccepted')).toBeUndefined();
  });
});

describe('nodeRates (every counter of a node)', () => {
  it('gives all four rates between two distinct reports', () => {
    const prev = node('im-1', { reportedAt: 0, startedAt: -5_000 });
    const next = node('im-1', { messagesAccepted: 2, deliveries: 4, relayFramesIn: 6, relayFramesOut: 8, reportedAt: 2_000, startedAt: -5_000 });
    expect(nodeRates(prev, next)).toEqual({ messagesAccepted: 1, deliveries: 2, relayFramesIn: 3, relayFramesOut: 4 });
  });

  it('is undefined for a repeated report and for time going backwards', () => {
    const prev = node('im-1', { messagesAccepted: 2, reportedAt: 5_000 });
    expect(nodeRates(prev, prev)).toBeUndefined();
    expect(nodeRates(prev, node('im-1', { messagesAccepted: 3, reportedAt: 4_000 }))).toBeUndefined();
  });
});
