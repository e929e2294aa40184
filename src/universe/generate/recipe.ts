// Priors over training recipes: optimizer (AdamW, Adam or SGD), a log-uniform
// learning rate in the optimizer's usual range, weight decay (often zero, else
// log-uniform), momentum and betas, a schedule, gradient clipping, batch size
// (powers of two, or the full train set when it is small), log-uniform steps, the
// init scale, and a seed. Continuous values are rounded to three significant digits.

import type { Rng } from "../../engine/rng.js";
import type { trainSchema } from "../config/train.js";
import type { z } from "zod";
import { chance, clamp, floorPow2, intBetween, logInt, logUniform, pick, powerOfTwo, sig, uniform, weighted } from "./random.js";

export type TrainInput = z.input<typeof trainSchema>;

export interface RecipePrior {
  /** log-uniform range of optimizer steps */
  steps: [number, number];
  /** log-uniform learning rates per optimizer family */
  adamLr: [number, number];
  sgdLr: [number, number];
  /** probability of zero weight decay */
  noDecay: number;
  /** batch sizes are 2^e for e in this range (capped by a fixed train set) */
  batchExp: [number, number];
  /** probability of full-batch training when the fixed train set has at most fullBatchMax examples */
  fullBatch: number;
  fullBatchMax: number;
  /** evaluation cadence and size written into every sampled recipe */
  evalPoints: number;
  evalExamples: number;
}

export const DEFAULT_RECIPE_PRIOR: RecipePrior = {
  steps: [100, 5000],
  adamLr: [1e-4, 1e-1],
  sgdLr: [1e-3, 1],
  noDecay: 0.3,
  batchExp: [3, 8],
  fullBatch: 0.3,
  fullBatchMax: 4096,
  evalPoints: 100,
  evalExamples: 512,
};

/** A recipe for a task whose fixed train set has `trainCount` examples (null: a stream). */
export function sampleRecipe(rng: Rng, trainCount: number | null, prior: RecipePrior = DEFAULT_RECIPE_PRIOR): TrainInput {
  const optimizer = weighted(rng, [["adamw", 0.45], ["adam", 0.25], ["sgd", 0.3]] as const);
  const sgd = optimizer === "sgd";
  const [lo, hi] = sgd ? prior.sgdLr : prior.adamLr;
  const steps = sig(logInt(rng, prior.steps[0], prior.steps[1]), 2);
  const train: TrainInput = { optimizer, lr: sig(logUniform(rng, lo, hi)), steps };

  if (!chance(rng, prior.noDecay)) {
    // decoupled decay (adamw) lives on another scale than an L2 penalty
    train.weightDecay = sig(optimizer === "adamw" ? logUniform(rng, 1e-4, 1) : logUniform(rng, 1e-6, 1e-2));
  }
  if (sgd) {
    train.momentum = weighted(rng, [[0.9, 0.55], [0, 0.2], [sig(uniform(rng, 0.5, 0.99), 2), 0.25]]);
    if (train.momentum > 0 && chance(rng, 0.2)) train.nesterov = true;
  } else {
    train.beta2 = weighted(rng, [[0.999, 0.6], [0.99, 0.25], [0.98, 0.15]]);
    if (chance(rng, 0.1)) train.beta1 = pick(rng, [0, 0.5, 0.8, 0.95]);
  }

  const schedule = weighted(rng, [["constant", 0.4], ["warmup", 0.15], ["cosine", 0.35], ["step", 0.1]] as const);
  const warm = () => Math.max(1, Math.round(steps * uniform(rng, 0.02, 0.1)));
  if (schedule === "warmup") train.schedule = { kind: "warmup", warmupSteps: warm() };
  else if (schedule === "cosine") {
    train.schedule = { kind: "cosine", warmupSteps: chance(rng, 0.5) ? warm() : 0, minFactor: chance(rng, 0.6) ? 0 : 0.1 };
  } else if (schedule === "step") {
    train.schedule = { kind: "step", stepSize: Math.max(1, Math.round(steps / intBetween(rng, 2, 4))), gamma: pick(rng, [0.1, 0.3, 0.5]) };
  }

  if (chance(rng, 0.25)) train.clipNorm = pick(rng, [0.5, 1, 5]);
  if (chance(rng, 0.35)) train.initScale = sig(logUniform(rng, 0.25, 4), 2);

  if (trainCount !== null && trainCount <= prior.fullBatchMax && chance(rng, prior.fullBatch)) train.batchSize = "full";
  else {
    const cap = trainCount === null ? Infinity : floorPow2(trainCount);
    train.batchSize = clamp(powerOfTwo(rng, prior.batchExp[0], prior.batchExp[1]), 1, cap);
  }
  train.seed = rng.int(10_000);
  train.evalPoints = prior.evalPoints;
  train.evalExamples = prior.evalExamples;
  return train;
}
