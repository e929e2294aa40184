// The registry of recipes: reproductions of published setups with labelled
// runs (see recipe.ts). Adding a name to recipeNames without an entry in
// `recipes` (or the reverse) is a compile error.

import { adamLrBoundary } from "./adam-lr-boundary.js";
import { edgeOfStability } from "./edge-of-stability.js";
import { grokkingFraction } from "./grokking-fraction.js";
import { randomFeaturesDoubleDescent } from "./random-features-double-descent.js";
import type { Recipe } from "./recipe.js";
import { sparseParityPlateau } from "./sparse-parity-plateau.js";

export type { Recipe, RecipeRun, RecipeSweep, RunLabels, RunPhenomenon, SweepPhenomenon } from "./recipe.js";
export { RUN_PHENOMENA, SWEEP_PHENOMENA, expectedKinds, expecting, recipeRuns } from "./recipe.js";
export { isRecipeScale, parseRecipeScale, reseedRecipe, scaleRecipe, TINY, type RecipeScale } from "./scale.js";

export const recipeNames = [
  "grokking-fraction",
  "random-features-double-descent",
  "edge-of-stability",
  "adam-lr-boundary",
  "sparse-parity-plateau",
] as const;

export type RecipeName = (typeof recipeNames)[number];

/** Every recipe by name (a test checks that each recipe's own name matches its key). */
export const recipes: { readonly [K in RecipeName]: Recipe } = {
  "grokking-fraction": grokkingFraction,
  "random-features-double-descent": randomFeaturesDoubleDescent,
  "edge-of-stability": edgeOfStability,
  "adam-lr-boundary": adamLrBoundary,
  "sparse-parity-plateau": sparseParityPlateau,
};

export function isRecipeName(name: string): name is RecipeName {
  return (recipeNames as readonly string[]).includes(name);
}
