import type { IdGenerator } from '../ports';

/** Deterministic ids for tests: p0001, p0002… (sortable like ULIDs). */
export function sequenceIds(prefix = 'id'): IdGenerator {
  let n = 0;
  return { next: () => `${prefix}${String(++n).padStart(6, '0')}` };
}
