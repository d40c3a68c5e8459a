/**
 * The entries of `value` whose value is not undefined: lets an option given
 * as undefined (an unset environment variable) keep its default when spread
 * over the defaults.
 */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
