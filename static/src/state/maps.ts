/**
 * Copy-on-write Map updates: a reducer never changes a Map it was given, and
 * gets the very same Map back when nothing changed (so the store and the
 * views can tell "changed" by identity). A batch is copied at most once.
 */
export function withEntries<K, V>(map: Map<K, V>, entries: Iterable<readonly [K, V]>): Map<K, V> {
  let next = map;
  for (const [key, value] of entries) {
    if (next.has(key) && next.get(key) === value) continue;
    if (next === map) next = new Map(map);
    next.set(key, value);
  }
  return next;
}

export function withEntry<K, V>(map: Map<K, V>, key: K, value: V): Map<K, V> {
  return withEntries(map, [[key, value]]);
}

export function withoutEntries<K, V>(map: Map<K, V>, keys: Iterable<K>): Map<K, V> {
  let next = map;
  for (const key of keys) {
    if (!next.has(key)) continue;
    if (next === map) next = new Map(map);
    next.delete(key);
  }
  return next;
}

export function withoutEntry<K, V>(map: Map<K, V>, key: K): Map<K, V> {
  return withoutEntries(map, [key]);
}

/** The map with `update` applied to the value at `key`; the same map when the key is absent or the value unchanged. */
export function updateEntry<K, V>(map: Map<K, V>, key: K, update: (value: V) => V): Map<K, V> {
  const value = map.get(key);
  return value === undefined ? map : withEntry(map, key, update(value));
}
