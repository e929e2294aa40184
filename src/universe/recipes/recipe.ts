// What a recipe is: a reproduction of a published setup as a named, documented
// list of sweeps of experiments, scaled to a 2-core CPU. Every run carries the
// phenomena a person expects to see in it (positives, and negative controls: the
// same setup with the cause removed), for every per-run phenomenon kind; every
// sweep carries the sweep-level phenomena expected across its runs. `toyworld
// repro` runs a recipe and compares these labels with what the detectors find.
//
// The kind lists repeat the phenomena layer's detector kinds (the universe may
// not import phenomena); src/phenomena/labels.ts checks at compile time that
// they are the same sets.

import type { ExperimentInput } from "../config/experiment.js";

export const RUN_PHENOMENA = [
  "grokking",
  "memorization",
  "divergence",
  "loss-spike",
  "plateau-drop",
  "overfitting",
  "slow-learning",
  "epoch-double-descent",
  "edge-of-stability",
] as const;
export type RunPhenomenon = (typeof RUN_PHENOMENA)[number];

export const SWEEP_PHENOMENA = [
  "model-double-descent",
  "sample-double-descent",
  "non-monotonic",
  "cliff",
  "best-value",
] as const;
export type SweepPhenomenon = (typeof SWEEP_PHENOMENA)[number];

/** Expected presence of every per-run phenomenon (a missing kind is a compile error). */
export type RunLabels = { readonly [K in RunPhenomenon]: boolean };

export interface RecipeRun {
  /** short, unique within the recipe, e.g. "frac0.3-wd1" */
  label: string;
  experiment: ExperimentInput;
  expect: RunLabels;
  /** why the labels are what they are, when it is not obvious from the sweep */
  why?: string;
}

export interface RecipeSweep {
  /** unique within the recipe, e.g. "fraction" */
  name: string;
  /** what the sweep varies and what it should show */
  note: string;
  runs: RecipeRun[];
  /** sweep-level phenomena judged for this sweep (kinds left out are not judged) */
  expect: { readonly [K in SweepPhenomenon]?: boolean };
}

export interface Recipe {
  /** kebab-case; the key in the registry */
  name: string;
  summary: string;
  /** the paper(s) and the numbers they report */
  source: string;
  /** what differs from the paper and why (a 2-core CPU, toyworld's units) */
  notes: string[];
  sweeps: RecipeSweep[];
}

/** Labels with the given kinds expected and every other kind expected absent. */
export function expecting(...kinds: RunPhenomenon[]): RunLabels {
  const out = Object.fromEntries(RUN_PHENOMENA.map((k) => [k, kinds.includes(k)]));
  return out as unknown as RunLabels;
}

/** The per-run kinds a run's labels expect to be present. */
export function expectedKinds(labels: RunLabels): RunPhenomenon[] {
  return RUN_PHENOMENA.filter((k) => labels[k]);
}

/** Every run of a recipe with the sweep it belongs to. */
export function recipeRuns(recipe: Recipe): { sweep: RecipeSweep; run: RecipeRun }[] {
  return recipe.sweeps.flatMap((sweep) => sweep.runs.map((run) => ({ sweep, run })));
}
