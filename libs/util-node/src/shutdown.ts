/** Starts the shutdown from inside the process (an operator's drain): once; while stopping, it does nothing. */
export type ShutdownTrigger = (signal: NodeJS.Signals) => void;

/** What onShutdownSignal needs of the process (tests pass a stand-in). */
export interface ShutdownProcess {
  on(event: 'SIGINT' | 'SIGTERM', handler: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

/**
 * Runs `stop` once on SIGINT/SIGTERM, then exits. A second signal forces the
 * exit, so a stuck shutdown never traps an operator's Ctrl-C.
 *
 * Returns the trigger for a shutdown asked from inside (the im-service's
 * operator drain): it runs the same `stop` when nothing started one yet and
 * is ignored while stopping, so a drain asked during an orchestrator's
 * SIGTERM drain never counts as that second signal.
 */
export function onShutdownSignal(
  stop: (signal: NodeJS.Signals) => Promise<void>,
  log: (msg: string) => void,
  proc: ShutdownProcess = process,
): ShutdownTrigger {
  let stopping = false;
  const start = (signal: NodeJS.Signals, why: string): void => {
    stopping = true;
    log(`${why}: shutting down`);
    stop(signal).then(
      () => proc.exit(0),
      (err: unknown) => {
        log(`shutdown failed: ${String(err)}`);
        proc.exit(1);
      },
    );
  };
  const handle = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      proc.exit(1);
      return;
    }
    start(signal, signal);
  };
  proc.on('SIGINT', handle);
  proc.on('SIGTERM', handle);
  return (signal) => {
    if (stopping) {
      log(`shutdown asked (${signal}) while already shutting down: ignored`);
      return;
    }
    start(signal, `${signal} asked`);
  };
}
