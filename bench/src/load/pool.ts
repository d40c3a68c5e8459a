import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { WorkerMessage, WorkerRequest } from './protocol';

/** Load-generator worker processes, each driven by request/response over IPC. */
export class WorkerPool {
  private readonly children: ChildProcess[] = [];
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  /**
   * `sourceAddresses`: loopback addresses the workers bind their sockets to
   * (see source-address.ts). Each worker may take up to 40% of the machine's
   * memory over the pool for its heap (at least 4 GiB): a million client
   * sockets need far more than V8's default.
   */
  constructor(
    readonly size: number,
    sourceAddresses = 40,
  ) {
    const heapMb = Math.max(4096, Math.floor((os.totalmem() / 2 ** 20) * 0.4 / size));
    for (let i = 0; i < size; i++) {
      const child = fork(path.join(__dirname, 'worker.ts'), [], {
        execArgv: ['--import', 'tsx', `--max-old-space-size=${heapMb}`],
        env: { ...process.env, BENCH_WORKER_INDEX: String(i), BENCH_SOURCE_ADDRESSES: String(sourceAddresses) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child.on('message', (msg: WorkerMessage) => {
        const waiter = this.pending.get(msg.id);
        if (!waiter) return;
        this.pending.delete(msg.id);
        if (msg.ok) waiter.resolve(msg.result);
        else waiter.reject(new Error(`worker ${i}: ${msg.error}`));
      });
      child.on('exit', (code) => {
        if (code !== 0 && code !== null) {
          for (const [, w] of this.pending) w.reject(new Error(`worker ${i} exited with ${code}`));
        }
      });
      this.children.push(child);
    }
  }

  call<T>(index: number, req: WorkerRequest): Promise<T> {
    const id = ++this.nextId;
    const child = this.children[index];
    if (!child) return Promise.reject(new Error(`no worker ${index}: the pool has ${this.size}`));
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, req });
    });
  }

  /** The same request to every worker. */
  all<T>(req: WorkerRequest): Promise<T[]> {
    return Promise.all(this.children.map((_, i) => this.call<T>(i, req)));
  }

  /** A request per worker, built from the worker's index. */
  each<T>(build: (index: number) => WorkerRequest): Promise<T[]> {
    return Promise.all(this.children.map((_, i) => this.call<T>(i, build(i))));
  }

  pids(): number[] {
    return this.children.map((c) => c.pid ?? 0);
  }

  stop(): void {
    for (const c of this.children) if (c.connected) c.disconnect();
  }
}

/** Splits items round-robin into `n` lists. */
export function deal<T>(items: readonly T[], n: number): T[][] {
  return Array.from({ length: n }, (_, list) => items.filter((_, i) => i % n === list));
}
