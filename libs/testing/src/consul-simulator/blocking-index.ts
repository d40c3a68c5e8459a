import type { IncomingMessage } from 'node:http';

/**
 * X-Consul-Index and the blocking queries waiting on it. The index is kept per
 * service name (like Consul's fine-grained health index), falling back to the
 * highest index for names never seen.
 */

interface Waiter {
  name: string;
  minIndex: number;
  wake(): void;
}

export class BlockingIndex {
  private index: number;
  /** Index of the last change per service name (fine-grained blocking). */
  private readonly nameIndex = new Map<string, number>();
  private readonly waiters = new Set<Waiter>();

  constructor(initial: number) {
    this.index = initial;
  }

  /** Highest index handed out so far. */
  current(): number {
    return this.index;
  }

  indexFor(name: string): number {
    return this.nameIndex.get(name) ?? this.index;
  }

  /** Moves the index on for a change to `name` and returns the new value. */
  bump(name: string): number {
    this.index += 1;
    this.nameIndex.set(name, this.index);
    return this.index;
  }

  /** Records that `name` changed at an index already handed out. */
  mark(name: string, index: number): void {
    this.nameIndex.set(name, index);
  }

  /** A snapshot restore: every name drops to `value`, the state is kept. */
  reset(value: number): void {
    this.index = Math.max(1, value);
    for (const name of this.nameIndex.keys()) this.nameIndex.set(name, this.index);
    this.notify();
  }

  /** Wakes the blocked queries whose name has moved past their index. */
  notify(): void {
    for (const waiter of [...this.waiters]) {
      if (this.indexFor(waiter.name) > waiter.minIndex) waiter.wake();
    }
  }

  /** Resolves true if the client went away while blocked. */
  block(req: IncomingMessage, name: string, minIndex: number, budgetMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (closed: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        req.socket.off('close', onClose);
        resolve(closed);
      };
      const onClose = (): void => finish(true);
      const timer = setTimeout(() => finish(false), budgetMs);
      const waiter: Waiter = { name, minIndex, wake: () => finish(false) };
      this.waiters.add(waiter);
      req.socket.on('close', onClose);
    });
  }
}
