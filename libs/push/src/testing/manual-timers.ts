import type { PushTimers } from '../push-dispatcher';

interface ManualTimer {
  run: () => void;
  ms: number;
}

/** Timers a test fires by hand: the backoff asked for is asserted, never waited out. */
export class ManualTimers implements PushTimers {
  readonly pending: ManualTimer[] = [];

  setTimeout(run: () => void, ms: number): unknown {
    const timer = { run, ms };
    this.pending.push(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    const index = this.pending.indexOf(handle as ManualTimer);
    if (index >= 0) this.pending.splice(index, 1);
  }

  /** Fires every pending timer; returns their delays. */
  fireAll(): number[] {
    const due = this.pending.splice(0);
    for (const timer of due) timer.run();
    return due.map((timer) => timer.ms);
  }
}
