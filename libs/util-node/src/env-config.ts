import type { z } from 'zod';

/**
 * Validates an app's PARLEY_* environment against its schema, rejecting keys
 * the app does not know (a typo must not silently fall back to a default),
 * and returns a frozen result.
 */
export function parseEnvConfig<S extends z.ZodObject>(
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
  prefix = 'PARLEY_',
): Readonly<z.output<S>> {
  const known = new Set(Object.keys(schema.shape));
  const unknown = Object.keys(env).filter((key) => key.startsWith(prefix) && !known.has(key) && !isTestKey(key));
  if (unknown.length > 0) throw new Error(`unknown configuration keys: ${unknown.join(', ')}`);
  const picked: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const result = schema.safeParse(picked);
  if (!result.success) {
    const details = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${details}`);
  }
  return Object.freeze(result.data);
}

/** The test harness's own variables travel in the same environment. */
function isTestKey(key: string): boolean {
  return key.startsWith('PARLEY_TEST_');
}

export function csv(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
