import os from 'node:os';
import argon2 from 'argon2';
import type { PasswordHasher } from '@parley/domain';
import { definedOnly } from '@parley/util';
import { BoundedWork } from './bounded-work';

export interface Argon2Options {
  /** KiB of memory per hash. @default 19456 (OWASP's argon2id minimum) */
  memoryCost: number;
  /** @default 2 */
  timeCost: number;
  /**
   * Hashes and verifications running at once. argon2 runs on libuv's thread
   * pool (4 threads by default, shared with fs and dns), so more than that
   * only queues there, and each one holds `memoryCost` KiB.
   * @default min(4, os.availableParallelism())
   */
  concurrency: number;
  /**
   * Hashes waiting for a turn; beyond it `hash`/`verify` reject with
   * ParleyError `RATE_LIMITED` (429, retryable) instead of piling up.
   * At ~60 ms a hash, 64 waiting is about a second of work on two cores.
   * @default 64
   */
  maxQueue: number;
  /** The wait suggested to a refused caller. @default 1000 */
  busyRetryAfterMs: number;
}

const DEFAULTS: Argon2Options = {
  memoryCost: 19_456,
  timeCost: 2,
  concurrency: Math.max(1, Math.min(4, os.availableParallelism())),
  maxQueue: 64,
  busyRetryAfterMs: 1_000,
};

/** argon2id hashes in PHC string format (salt and parameters inside), with a cap on the work in flight. */
export class Argon2PasswordHasher implements PasswordHasher {
  private readonly options: Argon2Options;
  private readonly work: BoundedWork;

  constructor(options: Partial<Argon2Options> = {}) {
    // An option given as undefined (an unset environment variable) keeps its default.
    this.options = { ...DEFAULTS, ...definedOnly(options) };
    this.work = new BoundedWork({
      concurrency: this.options.concurrency,
      maxQueue: this.options.maxQueue,
      retryAfterMs: this.options.busyRetryAfterMs,
    });
  }

  hash(password: string): Promise<string> {
    const { memoryCost, timeCost } = this.options;
    return this.work.run(() => argon2.hash(password, { type: argon2.argon2id, memoryCost, timeCost, parallelism: 1 }));
  }

  /** False for a wrong password or a malformed hash; rejects (RATE_LIMITED) only when the work queue is full. */
  verify(hash: string, password: string): Promise<boolean> {
    return this.work.run(async () => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    });
  }
}
