/**
 * One schema step. Versions are applied once each, in ascending order, and
 * recorded in `schema_migrations`; never edit a released migration, add one.
 */
export interface Migration {
  version: number;
  name: string;
  /** Run one by one (MySQL has no multi-statement queries by default). */
  statements: readonly string[];
}

/** Fails fast at start-up on a mis-numbered list rather than half-migrating. */
export function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
}
