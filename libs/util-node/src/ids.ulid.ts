import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/** Lexicographically sortable, unique ids (ULID), monotonic within a process. */
export function createUlidGenerator(): { next(): string } {
  const make = monotonicFactory(bufferedRandom());
  return { next: () => make() };
}

/**
 * ulid's PRNG contract (a fraction in [0, 1)) fed from a pool of
 * crypto-random bytes: its default asks the kernel for one byte per
 * character, 16 calls per id, which showed up in send-path profiles.
 */
function bufferedRandom(poolSize = 4096): () => number {
  const pool = Buffer.alloc(poolSize);
  let next = poolSize;
  return () => {
    if (next === poolSize) {
      randomFillSync(pool);
      next = 0;
    }
    // next < poolSize here (refilled above when it got there), so the byte exists.
    return pool[next++]! / 256;
  };
}
