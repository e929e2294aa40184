// Drawing helpers shared by the grokking probe kinds: a log-uniform value, a pick
// from a list, rounding to two significant digits (so configs read as a person
// would write them and equal draws hash to one config id), and the recipe every
// kind shares: full-batch AdamW with weight decay, the knob that decides between
// memorizing and grokking.

import type { Rng } from "../../engine/rng.js";

/** A value between lo and hi, uniform on the log scale. */
export const logUniform = (rng: Rng, lo: number, hi: number): number => lo * Math.pow(hi / lo, rng.uniform());
/** One element of a non-empty list, uniformly. */
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
/** x rounded to two significant digits. */
const sig2 = (x: number): number => Number(x.toPrecision(2));

/** Ranges of a probe kind's recipe: learning rate and steps, both drawn log-uniformly. */
export interface RecipeRanges {
  lr: readonly [number, number];
  steps: readonly [number, number];
}

/**
 * A full-batch AdamW recipe: lr, weight decay (about one in six without: the
 * memorizing corner of the phase diagram, else 0.1-3), init scale 0.5-2 and steps
 * (rounded to 100) drawn in this order, then the seed.
 */
export function grokkingRecipe(rng: Rng, ranges: RecipeRanges): Record<string, unknown> {
  return {
    optimizer: "adamw",
    lr: sig2(logUniform(rng, ranges.lr[0], ranges.lr[1])),
    weightDecay: rng.uniform() < 0.15 ? 0 : sig2(logUniform(rng, 0.1, 3)),
    initScale: sig2(logUniform(rng, 0.5, 2)),
    batchSize: "full",
    steps: Math.round(logUniform(rng, ranges.steps[0], ranges.steps[1]) / 100) * 100,
    seed: rng.int(1000),
    evalPoints: 60,
    evalExamples: 512,
  };
}
