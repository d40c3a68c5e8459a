import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { WorkerMessage, WorkerRequest } from './protocol';

/** Load-generator worker processes, each driven by request/response over IPC. */
export class WorkerPool {
  private readonly children: ChildProcess[] = [];
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) {
      const child = fork(path.join(__dirname, 'worker.ts'), [], {
        execArgv: ['--import', 'tsx', '--max-old-space-size=4096'],
        env: { ...process.env, BENCH_WORKER_INDEX: String(i) },
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
