// Putting a recipe's runs in the store's queue, resumably: a run whose config
// (by configId) is already in the store, finished or still queued, is reused
// rather than trained again; only missing (or failed) runs are enqueued, one
// store sweep per recipe sweep that has new runs. Returns every recipe run with
// the store run that stands for it, so the caller can work the queue, detect
// and compare with the labels.

import type { RunRecord, Store } from "../store/store.js";
import { validateExperiment } from "../universe/config/validate.js";
import { reseedRecipe, scaleRecipe, type RecipeScale } from "../universe/recipes/scale.js";
import type { Recipe, RunLabels } from "../universe/recipes/recipe.js";

export interface QueuedRecipeRun {
  recipe: string;
  sweep: string;
  label: string;
  expect: RunLabels;
  configId: string;
  runId: string;
  /** true when the run was already in the store */
  reused: boolean;
}

/** statuses of a stored run that make training it again unnecessary (best first) */
const REUSABLE: readonly RunRecord["status"][] = ["completed", "diverged", "running", "queued"];

async function storedRun(store: Store, configId: string): Promise<RunRecord | null> {
  const runs = await store.listRuns({ configId });
  for (const status of REUSABLE) {
    const r = runs.find((x) => x.status === status);
    if (r) return r;
  }
  return null;
}

/** Enqueues the recipe's missing runs (at the given scale, train seeds shifted by seedOffset); returns all its runs. */
export async function enqueueRecipe(
  store: Store, recipe: Recipe, scale: RecipeScale = "full", seedOffset = 0,
): Promise<{ runs: QueuedRecipeRun[]; enqueued: number }> {
  const scaled = reseedRecipe(scaleRecipe(recipe, scale), seedOffset);
  const out: QueuedRecipeRun[] = [];
  let enqueued = 0;
  for (const sweep of scaled.sweeps) {
    const fresh: { index: number; configId: string; config: unknown; family: string; name: string | null }[] = [];
    for (const run of sweep.runs) {
      const v = validateExperiment(run.experiment);
      if (!v.ok) {
        const first = v.problems[0];
        throw new Error(`recipe ${recipe.name}, run ${run.label}: invalid experiment (${first ? `${first.path}: expected ${first.expected}, found ${first.found}` : "unknown problem"})`);
      }
      const base = { recipe: recipe.name, sweep: sweep.name, label: run.label, expect: run.expect, configId: v.id };
      const known = out.find((q) => q.configId === v.id) ?? null;
      const stored = known ? null : await storedRun(store, v.id);
      if (known || stored) {
        out.push({ ...base, runId: known ? known.runId : stored!.id, reused: true });
        continue;
      }
      fresh.push({ index: out.length, configId: v.id, config: v.config, family: v.config.task.family, name: v.config.name ?? null });
      out.push({ ...base, runId: "", reused: false });
    }
    if (fresh.length === 0) continue;
    const sweepId = await store.createSweep(`${recipe.name}/${sweep.name}`, { recipe: recipe.name, sweep: sweep.name, scale, seedOffset });
    const ids = await store.enqueue(fresh.map((f) => ({ configId: f.configId, config: f.config, family: f.family, name: f.name, sweepId })));
    fresh.forEach((f, i) => { out[f.index]!.runId = ids[i]!; });
    enqueued += ids.length;
  }
  return { runs: out, enqueued };
}
