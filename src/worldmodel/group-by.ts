// Grouping of items by a key, in first-seen order of the keys and input order
// within a group (Map.groupBy arrives only in Node 21). Items whose key is null
// or undefined are left out, which is how callers skip runs without a sweep, a
// finite target, or a family.

type KeyOf<T, K> = (item: T, index: number) => K | null | undefined;

/** The items of each key. */
export function groupBy<T, K>(items: readonly T[], keyOf: KeyOf<T, K>): Map<K, T[]> {
  const out = new Map<K, T[]>();
  items.forEach((item, i) => {
    const key = keyOf(item, i);
    if (key === null || key === undefined) return;
    const list = out.get(key);
    if (list) list.push(item);
    else out.set(key, [item]);
  });
  return out;
}

/** The indices (into `items`) of each key. */
export function groupIndices<T, K>(items: readonly T[], keyOf: KeyOf<T, K>): Map<K, number[]> {
  return groupBy(items.map((_, i) => i), (i) => keyOf(items[i]!, i));
}
