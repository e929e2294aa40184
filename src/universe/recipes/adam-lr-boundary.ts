// adam-lr-boundary: Adam on a small transformer swept over the learning rate
// across the stability boundary. Well below it training is smooth; just below
// it the loss spikes and recovers; above it training diverges. Negative
// controls: small learning rates (smooth), and one too small to learn.

import type { ExperimentInput } from "../config/experiment.js";
import { expecting, type Recipe, type RecipeRun, type RunLabels } from "./recipe.js";

function experiment(lr: number, seed: number): ExperimentInput {
  return {
    name: `adam-lr lr${lr} seed${seed}`,
    task: { family: "sequence", op: "sort", length: 8, vocab: 10, trainSize: "stream", testSize: 512, seed: 0 },
    model: {
      unit: "sequential",
      children: [
        { unit: "embedding", dim: 32, positional: true },
        { unit: "residual", child: { unit: "attention", heads: 2, causal: false } },
        { unit: "residual", child: { unit: "mlp", width: 64, depth: 1, activation: "relu", out: 32 } },
        { unit: "readout" },
      ],
    },
    train: { optimizer: "adam", lr, batchSize: 32, steps: 2000, seed, evalPoints: 100, evalExamples: 256 },
  };
}

const LRS: { lr: number; expect: RunLabels; why: string }[] = [
  { lr: 1e-5, expect: expecting("slow-learning"), why: "the loss barely moves in 2,000 steps" },
  { lr: 1e-3, expect: expecting(), why: "well below the boundary: smooth" },
  { lr: 3e-3, expect: expecting(), why: "below the boundary: smooth" },
  { lr: 2e-2, expect: expecting("loss-spike"), why: "just below the boundary: the loss jumps several-fold and recovers" },
  { lr: 3e-2, expect: expecting("loss-spike"), why: "just below the boundary: the loss jumps several-fold and recovers" },
  { lr: 0.1, expect: expecting("divergence"), why: "above the boundary: diverges within a few hundred steps" },
  { lr: 0.3, expect: expecting("divergence"), why: "far above the boundary: diverges at once" },
];

/**
 * Runs whose curves show more than their learning rate's usual behaviour (labelled by looking at the
 * recorded curves, toyworld repro 2026-11-22): Adam spikes once the loss is small even at lr 3e-3, and
 * at lr 3e-2 one seed blows up for good.
 */
const SEEN: Record<string, { expect: RunLabels; why: string }> = {
  "lr0.003-seed1": { expect: expecting("loss-spike"), why: "at step ~1,600 the train loss jumps 20x (0.003 -> 0.07) and recovers" },
  "lr0.03-seed1": {
    expect: expecting("loss-spike", "divergence"),
    why: "spikes that recover, then at step ~680 the loss blows up to 30 (650x its best) and restarts from near chance, ending 20x above its best",
  },
};

const runs = (seed: number): RecipeRun[] =>
  LRS.map(({ lr, expect, why }) => {
    const label = `lr${lr}-seed${seed}`;
    return { label, experiment: experiment(lr, seed), ...(SEEN[label] ?? { expect, why }) };
  });

export const adamLrBoundary: Recipe = {
  name: "adam-lr-boundary",
  summary: "Adam on a one-block transformer sorting 8 tokens, swept over lr: smooth, then spikes that recover, then divergence.",
  source:
    "M. Wortsman, P. J. Liu, L. Xiao, K. Everett, A. Alemi, et al. (2023). Small-scale proxies for large-scale Transformer training instabilities. ICLR 2024, " +
    "arXiv:2309.14322 (small transformers reproduce the instabilities of large ones: final loss vs lr is flat up to a boundary, then rises; loss spikes near it). " +
    "Also I. Molybog et al. (2023), A Theory on Adam Instability in Large-Scale Machine Learning, arXiv:2304.09871 (spikes from Adam's update in a regime of small gradients).",
  notes: [
    "One block (2-head attention, MLP 64, d 32, no norm) on sorting 8 tokens of a vocabulary of 10, fresh batches of 32, 2,000 steps, Adam without clipping or warmup: seconds per run instead of Wortsman's 10^4-10^5 steps of larger models.",
    "Two seeds per learning rate (they train as one population).",
  ],
  sweeps: [
    { name: "lr", note: "learning rates 1e-5..0.3, seeds 0 and 1 (repeats)", runs: [...runs(0), ...runs(1)], expect: { cliff: true } },
  ],
};
