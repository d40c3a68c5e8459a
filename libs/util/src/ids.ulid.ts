import { monotonicFactory } from 'ulid';

/** Lexicographically sortable, unique ids (ULID), monotonic within a process. */
export function createUlidGenerator(): { next(): string } {
  const make = monotonicFactory();
  return { next: () => make() };
}
