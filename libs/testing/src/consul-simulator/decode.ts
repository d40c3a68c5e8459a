/** Decoding of loosely typed request values the way Consul's Go decoder reads them. */

/** Consul decodes registration bodies case-insensitively and accepts snake_case too. */
export function lowerKeys(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) out[k.replace(/_/g, '').toLowerCase()] = v;
  }
  return out;
}

export function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function asStringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) out[k] = String(v);
  }
  return out;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration ("500ms", "1m30s", "2s"); undefined when malformed. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return value / 1e6; // JSON numbers are nanoseconds in Consul
  if (typeof value !== 'string' || value === '') return undefined;
  if (value === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < value.length) {
    re.lastIndex = pos;
    const [, amount, unit] = re.exec(value) ?? [];
    const perUnit = unit === undefined ? undefined : UNIT_MS[unit];
    if (amount === undefined || perUnit === undefined) return undefined;
    total += Number(amount) * perUnit;
    pos = re.lastIndex;
  }
  return total;
}
