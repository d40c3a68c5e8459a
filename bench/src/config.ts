/** Sizes of one benchmark run: `full` is what RESULTS.md reports, `quick` a small smoke version (< 2 min). */
export interface BenchConfig {
  mode: 'quick' | 'full';
  /** Load-generator worker processes. */
  workers: number;
  /** Accounts registered through the REST API (argon2: the slow part of the setup). */
  users: number;
  /** Concurrent registrations. */
  registerConcurrency: number;
  /** Handshakes in flight per worker while ramping. */
  connectConcurrency: number;
  s1: { connections: number; holdMs: number };
  s2: { users: number; rates: number[]; stepMs: number; settleMs: number };
  s3: { rooms: { members: number; rooms: number; ratePerSec: number }[]; stepMs: number; settleMs: number };
  s4: { backlogs: { messages: number; reps: number }[]; stormClients: number };
  s5: { senders: number; window: number; durationMs: number };
  /** S6: one S2 rate and one S3 room shape on each fleet shape (IM nodes x gateways). */
  s6: {
    shapes: { nodes: number; gateways: number }[];
    s2Rate: number;
    s3Room: { members: number; rooms: number; ratePerSec: number };
    stepMs: number;
    settleMs: number;
    /** An unreported step before each measured one: the processes of a shape have just started. */
    warmupMs: number;
  };
  /** S7: one big group, a few members posting slowly; accounts past `users` are registered for it alone. */
  s7: { members: number; ratePerSec: number; senders: number; stepMs: number; settleMs: number };
}

export const FULL: BenchConfig = {
  mode: 'full',
  workers: 3,
  users: 2000,
  registerConcurrency: 8,
  connectConcurrency: 200,
  s1: { connections: 20_000, holdMs: 5_000 },
  s2: { users: 2000, rates: [500, 1000, 2000, 3000, 5000], stepMs: 10_000, settleMs: 5_000 },
  s3: {
    rooms: [
      { members: 100, rooms: 10, ratePerSec: 200 },
      { members: 1000, rooms: 1, ratePerSec: 20 },
    ],
    stepMs: 10_000,
    settleMs: 5_000,
  },
  s4: {
    backlogs: [
      { messages: 100, reps: 20 },
      { messages: 1000, reps: 5 },
      { messages: 10_000, reps: 3 },
    ],
    stormClients: 5000,
  },
  s5: { senders: 200, window: 2, durationMs: 10_000 },
  s6: {
    shapes: [2, 3, 4].flatMap((nodes) => [1, 2].map((gateways) => ({ nodes, gateways }))),
    s2Rate: 1000,
    s3Room: { members: 100, rooms: 10, ratePerSec: 200 },
    stepMs: 10_000,
    settleMs: 5_000,
    warmupMs: 5_000,
  },
  s7: { members: 10_000, ratePerSec: 2, senders: 10, stepMs: 10_000, settleMs: 10_000 },
};

export const QUICK: BenchConfig = {
  mode: 'quick',
  workers: 2,
  users: 200,
  registerConcurrency: 8,
  connectConcurrency: 100,
  s1: { connections: 1000, holdMs: 1_000 },
  s2: { users: 200, rates: [200, 500], stepMs: 3_000, settleMs: 3_000 },
  s3: {
    rooms: [
      { members: 50, rooms: 2, ratePerSec: 40 },
      { members: 200, rooms: 1, ratePerSec: 10 },
    ],
    stepMs: 3_000,
    settleMs: 3_000,
  },
  s4: {
    backlogs: [
      { messages: 100, reps: 5 },
      { messages: 1000, reps: 2 },
    ],
    stormClients: 400,
  },
  s5: { senders: 50, window: 2, durationMs: 3_000 },
  s6: {
    shapes: [
      { nodes: 2, gateways: 1 },
      { nodes: 3, gateways: 2 },
    ],
    s2Rate: 200,
    s3Room: { members: 50, rooms: 2, ratePerSec: 40 },
    stepMs: 3_000,
    settleMs: 3_000,
    warmupMs: 2_000,
  },
  s7: { members: 600, ratePerSec: 2, senders: 4, stepMs: 3_000, settleMs: 5_000 },
};
