// Intervention pairs: two runs that differ in exactly one config path, so the
// difference of their outcomes is the effect of that one change. Pairs are looked
// for within sweeps (the dataset's one-at-a-time sweeps, or any user sweep), and
// the configs are compared leaf by leaf (the name, a label, is ignored). Setting
// task.difficulty also sets the family parameters the knob controls, so a pair
// whose differences are task.difficulty plus other task fields counts as one path.
// A pair's effect is scored by its sign (signAccuracy): effects smaller than
// SIGN_NOISE are left out as noise; signAccuracyByKnob splits the score by the
// knob turned (the evaluation reports it per knob, as within-family Spearman per family).

import { CURVE_POINTS, type Example } from "./types.js";
import type { MetricValue } from "./evaluate.js";
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

/** Whether a config path is a seed (task.seed, train.seed, ...). */
export const isSeedPath = (path: string): boolean => /(^|\.)seed$/.test(path);

/** A key of a config without its seeds (and its name): equal keys = runs of one config under other seeds. */
export function seedlessKey(config: unknown): string {
  const leaves = [...configLeaves(config)].filter(([path]) => !isSeedPath(path));
  leaves.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify(leaves);
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

/** Effects on final log10 test loss smaller than this are not scored for their sign. */
export const SIGN_NOISE = 0.05;

/** Accuracy of predicted signs of actual deltas (|actual| >= SIGN_NOISE); a predicted 0 or non-finite delta scores one half. */
export function signAccuracy(deltas: readonly { actual: number; predicted: number }[]): MetricValue {
  let score = 0, n = 0;
  for (const { actual, predicted } of deltas) {
    if (!Number.isFinite(actual) || Math.abs(actual) < SIGN_NOISE) continue;
    n++;
    score += predicted === 0 || !Number.isFinite(predicted) ? 0.5 : Math.sign(predicted) === Math.sign(actual) ? 1 : 0;
  }
  return { value: n > 0 ? score / n : NaN, n };
}

/**
 * The knob a one-path pair turns, as a label to group sign accuracies by: the
 * path, with a model path shortened to its field (model.children[2].width ->
 * model.width) and a task difficulty standing for the task fields it sets.
 */
export function pairKnob(paths: readonly string[]): string {
  if (paths.includes("task.difficulty")) return "task.difficulty";
  const path = paths[0] ?? "";
  return path.startsWith("model.") ? `model.${path.slice(path.lastIndexOf(".") + 1)}` : path;
}

/** An intervention pair of a test set (indices i < j) and the knob it turns. */
export interface KnobPair {
  i: number;
  j: number;
  knob: string;
}

/** The intervention pairs of a test set with their knobs: found once per split, scored for every predictor. */
export function knobPairs(test: readonly Example[]): KnobPair[] {
  return interventionPairs(test).map(([i, j]) => ({ i, j, knob: pairKnob(differingPaths(configLeaves(test[i]!.config), configLeaves(test[j]!.config))) }));
}

/** Sign accuracy of predicted final log10 test losses on a test set's intervention pairs, per knob (sorted by name). */
export function signAccuracyByKnob(test: readonly Example[], predictedFinal: readonly number[], pairs: readonly KnobPair[] = knobPairs(test)): Record<string, MetricValue> {
  const last = (e: Example) => e.curves.test_loss[CURVE_POINTS - 1]!;
  const byKnob = new Map<string, { actual: number; predicted: number }[]>();
  for (const { i, j, knob } of pairs) {
    if (!byKnob.has(knob)) byKnob.set(knob, []);
    byKnob.get(knob)!.push({ actual: last(test[j]!) - last(test[i]!), predicted: predictedFinal[j]! - predictedFinal[i]! });
  }
  const out: Record<string, MetricValue> = {};
  for (const knob of [...byKnob.keys()].sort()) {
    const scored = signAccuracy(byKnob.get(knob)!);
    if (scored.n > 0) out[knob] = scored;
  }
  return out;
}
