/**
 * Runs `stop` once on SIGINT/SIGTERM, then exits. A second signal forces the
 * exit, so a stuck shutdown never traps an operator's Ctrl-C.
 */
export function onShutdownSignal(stop: (signal: NodeJS.Signals) => Promise<void>, log: (msg: string) => void): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: shutting down`);
    stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        log(`shutdown failed: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}
