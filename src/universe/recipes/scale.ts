// Scaling a recipe's budget: "full" is the recipe as written; "tiny" is a smoke
// test (a handful of steps and evaluations on small eval sets, seconds for the
// whole recipe) whose curves show nothing but exercise every path; a number in
// (0, 1] multiplies every run's steps. Labels are kept as they are: they hold at
// full scale only, and a scaled run is a different experiment (its configId
// differs), so the store never mixes scaled and full runs.

import type { ExperimentInput } from "../config/experiment.js";
import type { Recipe, RecipeRun } from "./recipe.js";

export type RecipeScale = "full" | "tiny" | number;

/** the tiny scale's limits */
export const TINY = { steps: 12, evalPoints: 6, evalExamples: 64, testSize: 128 } as const;

export function isRecipeScale(x: unknown): x is RecipeScale {
  return x === "full" || x === "tiny" || (typeof x === "number" && x > 0 && x <= 1);
}

/** "tiny", "full" or a number in (0, 1]; undefined for anything else. */
export function parseRecipeScale(text: string): RecipeScale | undefined {
  if (text === "full" || text === "tiny") return text;
  const n = Number(text);
  return isRecipeScale(n) ? n : undefined;
}

function scaleExperiment(e: ExperimentInput, scale: RecipeScale): ExperimentInput {
  if (scale === "full") return e;
  const train = { ...e.train };
  const steps = train.steps ?? 1000;
  if (scale === "tiny") {
    train.steps = Math.min(steps, TINY.steps);
    train.evalPoints = Math.min(train.evalPoints ?? 150, TINY.evalPoints);
    train.evalExamples = Math.min(train.evalExamples ?? 512, TINY.evalExamples);
    const testSize = typeof e.task.testSize === "number" ? e.task.testSize : 1024;
    const task = { ...e.task, testSize: Math.min(testSize, TINY.testSize) } as ExperimentInput["task"];
    return { ...e, task, train };
  }
  train.steps = Math.max(2, Math.round(steps * scale));
  return { ...e, train };
}

/** The recipe with every run's budget scaled (names and labels unchanged). */
export function scaleRecipe(recipe: Recipe, scale: RecipeScale): Recipe {
  if (scale === "full") return recipe;
  const run = (r: RecipeRun): RecipeRun => ({ ...r, experiment: scaleExperiment(r.experiment, scale) });
  return { ...recipe, sweeps: recipe.sweeps.map((s) => ({ ...s, runs: s.runs.map(run) })) };
}

/**
 * The recipe with every run's train.seed shifted by `offset` (init, and dropout): a replicate for
 * held-out checks of the detectors. Labels are kept; those that describe one seed's curve (say so
 * in their `why`) need not hold for another seed.
 */
export function reseedRecipe(recipe: Recipe, offset: number): Recipe {
  if (offset === 0) return recipe;
  const run = (r: RecipeRun): RecipeRun => ({
    ...r,
    label: `${r.label}+seed${offset}`,
    experiment: { ...r.experiment, train: { ...r.experiment.train, seed: (r.experiment.train?.seed ?? 0) + offset } },
  });
  return { ...recipe, sweeps: recipe.sweeps.map((s) => ({ ...s, runs: s.runs.map(run) })) };
}
