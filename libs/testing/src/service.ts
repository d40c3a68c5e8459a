import type { ChildProcess, SpawnOptions } from 'node:child_process';

/** A throwaway server started by the test harness. */
export interface TestService {
  url: string;
  stop(): Promise<void>;
}

/** Starts a server's process: child_process.spawn, or the same inside a network namespace (NetnsNetwork.spawnIn). */
export type SpawnProcess = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;
