/**
 * The value, or an Error naming what was missing. For reads the code has made
 * sure of (an index just checked against the length, a key of the same map,
 * a group the regular expression cannot leave out), where the compiler cannot
 * follow: a throw here is a bug, not a state to handle. Where a value can
 * really be absent, handle it instead.
 */
export function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing`);
  return value;
}
