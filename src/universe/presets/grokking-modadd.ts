// Grokking on modular addition (Power et al. 2022): a small decoder-only
// transformer memorizes a random 40% of the p = 97 addition table quickly and,
// under AdamW with weight decay 1, generalizes to the rest much later.

import type { Preset } from "./preset.js";

const d = 32;

const block = [
  { unit: "residual", child: { unit: "sequential", children: [{ unit: "norm", kind: "layer" }, { unit: "attention", heads: 4, causal: true }] } },
  { unit: "residual", child: { unit: "sequential", children: [{ unit: "norm", kind: "layer" }, { unit: "mlp", width: 4 * d, depth: 1, activation: "relu", out: d }] } },
] as const;

export const grokkingModadd: Preset = {
  name: "grokking-modadd",
  summary: "a 2-layer transformer on (a + b) mod 97 from 40% of the pairs, full batch AdamW with weight decay 1: late generalization.",
  source: "A. Power, Y. Burda, H. Edwards, I. Babuschkin, V. Misra (2022). Grokking: Generalization Beyond Overfitting on Small Algorithmic Datasets. arXiv:2201.02177.",
  notes: [
    "Model: 2 pre-norm blocks as in the paper, but d_model 32 (paper 128) with 4 heads of 8 and an MLP of 4 x 32: a full-batch step of the paper's width would take about 0.8 s on one core here, this one under 0.1 s.",
    "Input: the two tokens [a, b] with learned positions, read out at the last position (causal attention sees both); the paper feeds the sequence 'a o b =' and reads the answer token.",
    "Batch: the full train set (3,764 pairs) every step instead of the paper's minibatches of 512, so the curve is deterministic and the step count comparable to Nanda et al.",
    "Steps: 10,000 (paper: up to 1e5 optimizer steps), about 15 minutes on one core; at this width generalization may need more steps than that (fork the run with more steps). The recipe (AdamW, lr 1e-3, weight decay 1, betas 0.9/0.98, 10 warmup steps) is the paper's.",
  ],
  experiment: {
    name: "grokking-modadd",
    task: { family: "modular-arithmetic", p: 97, op: "add", trainFraction: 0.4, seed: 0, testSize: 2048 },
    model: {
      unit: "sequential",
      children: [{ unit: "embedding", dim: d, positional: true }, ...block, ...block, { unit: "norm", kind: "layer" }, { unit: "readout", pool: "last" }],
    },
    train: {
      optimizer: "adamw",
      lr: 1e-3,
      weightDecay: 1,
      beta1: 0.9,
      beta2: 0.98,
      schedule: { kind: "warmup", warmupSteps: 10 },
      batchSize: "full",
      steps: 10_000,
      seed: 0,
      evalPoints: 150,
      evalExamples: 2048,
    },
  },
  sweep: { path: "task.trainFraction", values: [0.2, 0.3, 0.4, 0.5, 0.6, 0.8], note: "the paper's main axis: steps to generalize fall steeply as the train fraction grows" },
};
