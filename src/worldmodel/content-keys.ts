// Content keys of examples: what identifies a run by what it is (its config id,
// and for a fork also its parent's key and the fork step) instead of by the
// store's ids, which are random. Splits, the held-out slices of a fit, the
// calibration cutoffs and the order a fit sees its runs in all follow these keys,
// so two stores that hold the same runs (a clean clone's demo and another's, or a
// standing dataset built twice) give the same splits and the same fitted model.
// Before, the demo's what-if on the same pair of runs was predicted +0.032 in one
// clone and -0.019 in another.

import type { Example } from "./types.js";

/** Forks of forks are followed this deep; deeper chains (or cycles) end at the run itself. */
const MAX_FORK_DEPTH = 32;

/**
 * The content key of each example: its config id, and for a fork
 * `<config id>@<fork step><<parent's key>` (`<config id>@<fork step>` when the
 * parent is not among the examples: less sure to be unique, but never random).
 */
export function contentKeys(examples: readonly Example[]): Map<Example, string> {
  const byRun = new Map(examples.map((e) => [e.runId, e]));
  const keys = new Map<Example, string>();
  const keyOf = (e: Example, depth: number): string => {
    const known = keys.get(e);
    if (known !== undefined) return known;
    let key = e.configId;
    if (e.fork) {
      const parent = byRun.get(e.fork.parentRunId);
      key = `${e.configId}@${e.fork.forkStep}`;
      if (parent && depth < MAX_FORK_DEPTH) key += `<${keyOf(parent, depth + 1)}`;
    }
    keys.set(e, key);
    return key;
  };
  for (const e of examples) keyOf(e, 0);
  return keys;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The examples sorted by content key. Two runs with one key are the same config
 * trained twice, which the engine trains identically, so their order, by run
 * id, changes nothing that is fitted (imported runs that repeat a config with
 * other curves are the one exception).
 */
export function canonicalOrder(examples: readonly Example[], keys = contentKeys(examples)): Example[] {
  return [...examples].sort((a, b) => compare(keys.get(a)!, keys.get(b)!) || compare(a.runId, b.runId));
}
