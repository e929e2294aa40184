// Intervention pairs: two runs that differ in exactly one config path, so the
// difference of their outcomes is the effect of that one change. Pairs are looked
// for within sweeps (the dataset's one-at-a-time sweeps, or any user sweep), and
// the configs are compared leaf by leaf (the name, a label, is ignored). Setting
// task.difficulty also sets the family parameters the knob controls, so a pair
// whose differences are task.difficulty plus other task fields counts as one path.

import type { Example } from "./types.js";
import { groupIndices } from "./group-by.js";

const IGNORED_TOP = new Set(["name"]);

/** path -> leaf value (as JSON) of a config. */
export function configLeaves(config: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (v: unknown, path: string) => {
    if (v !== null && typeof v === "object") {
      const entries = Array.isArray(v) ? v.map((x, i) => [`[${i}]`, x] as const) : Object.entries(v).map(([k, x]) => [path ? `.${k}` : k, x] as const);
      if (entries.length === 0) out.set(path, Array.isArray(v) ? "[]" : "{}");
      for (const [k, x] of entries) {
        if (path === "" && IGNORED_TOP.has(k)) continue;
        visit(x, path + k);
      }
      return;
    }
    out.set(path, JSON.stringify(v) ?? "undefined");
  };
  visit(config, "");
  return out;
}

/** The paths at which two configs differ (a path present in only one counts too), sorted. */
export function differingPaths(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of a) if (b.get(k) !== v) out.push(k);
  for (const k of b.keys()) if (!a.has(k)) out.push(k);
  return out.sort();
}

/** Whether two configs' differences amount to one intervention (see the header). */
export function isSinglePathChange(paths: readonly string[]): boolean {
  if (paths.length === 1) return true;
  return paths.length > 1 && paths.includes("task.difficulty") && paths.every((p) => p.startsWith("task."));
}

/** Index pairs [i, j] (i < j) of examples of one sweep that differ in exactly one path. */
export function interventionPairs(examples: readonly Example[]): [number, number][] {
  const bySweep = groupIndices(examples, (e) => e.sweepId || null);
  const out: [number, number][] = [];
  for (const members of bySweep.values()) {
    const leaves = members.map((i) => configLeaves(examples[i]!.config));
    for (let a = 0; a < members.length; a++) {
      for (let b = a + 1; b < members.length; b++) {
        if (isSinglePathChange(differingPaths(leaves[a]!, leaves[b]!))) out.push([members[a]!, members[b]!]);
      }
    }
  }
  return out;
}
