// Grokking probes on modular arithmetic: small runs drawn across the phase
// diagram of Liu et al. (2022) and Omnigrok (2023): weight decay, train fraction,
// learning rate, init scale and width around the embeddings-plus-MLP toy of the
// grokking-mlp-liu preset, made small (p of 23-31, a few thousand full-batch
// steps) so one costs seconds instead of the preset's minutes. Some memorize and
// never generalize, some generalize at once, some grok (test accuracy arrives
// decades of steps after train accuracy).

import type { Rng } from "../../engine/rng.js";
import type { ExperimentInput } from "../../universe/config/experiment.js";
import { grokkingRecipe, logUniform, pick } from "./draw.js";

const PRIMES = [23, 29, 31];
/** commutative operations only: the mean-pooled embeddings cannot tell [a, b] from [b, a] (a-b never fits) */
const OPS = ["add", "add", "mul"] as const;
const EMBEDDING_DIMS = [8, 16, 32];
const MLP_WIDTHS = [32, 64, 128];

/** One probe's document: the knobs of the grokking phase diagram drawn independently. */
export function modularArithmeticProbe(rng: Rng): ExperimentInput {
  return {
    task: {
      family: "modular-arithmetic", p: pick(rng, PRIMES), op: pick(rng, OPS),
      trainFraction: Math.round((0.25 + 0.55 * rng.uniform()) * 100) / 100, seed: rng.int(1000), testSize: 512,
    },
    model: {
      unit: "sequential",
      children: [
        { unit: "embedding", dim: pick(rng, EMBEDDING_DIMS), positional: false },
        { unit: "pooling", mode: "mean" },
        { unit: "mlp", width: pick(rng, MLP_WIDTHS), depth: 1, activation: "relu" },
        { unit: "activation", fn: "relu" },
        { unit: "readout" },
      ],
    },
    train: grokkingRecipe(rng, { lr: [2e-3, 1e-2], steps: [3000, 8000] }),
  } as ExperimentInput;
}
