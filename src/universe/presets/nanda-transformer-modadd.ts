// The grokking transformer of Nanda et al. 2023: a one-layer ReLU transformer
// without layer norm learns modular addition by a Fourier algorithm, which forms
// gradually (circuit formation) and then cleans up the memorization (grokking).

import type { Preset } from "./preset.js";

export const nandaTransformerModadd: Preset = {
  name: "nanda-transformer-modadd",
  summary: "a one-layer, 4-head ReLU transformer without layer norm on (a + b) mod p from 30% of the pairs, AdamW with weight decay 1, full batch.",
  source: "N. Nanda, L. Chan, T. Lieberum, J. Smith, J. Steinhardt (2023). Progress Measures for Grokking via Mechanistic Interpretability. ICLR 2023, arXiv:2301.05217.",
  notes: [
    "Kept from the paper: one layer, 4 heads, no layer norm, an MLP of 4 x d_model with ReLU, AdamW with lr 1e-3, weight decay 1, betas (0.9, 0.98), 30% of the pairs for training, full batch, 10 linear warmup steps.",
    "Reduced to run in minutes on one core: p = 59 instead of 113 and d_model 64 instead of 128 (so 16-dim heads and an MLP of 256); a full-batch step of the paper's model costs about 0.35 s here, 15x this one.",
    "Steps: 30,000 instead of 40,000 epochs (about 15 minutes on one core). Measured here (seed 0): train accuracy 100% by step ~180; test accuracy below 3% until step ~13,000, 9% at 17,000, 46% at 23,000 and 55% at 30,000, still rising. The smaller p gives 1,044 training pairs instead of 3,830, so generalization is slower and not complete by the end: fork with more steps, or raise task.trainFraction, to see the full transition.",
    "Input: the tokens [a, b] read out at the last position with causal attention; the paper appends an '=' token and reads there. Biases of the MLP and readout are off, as the paper's biases stay at zero.",
  ],
  experiment: {
    name: "nanda-transformer-modadd",
    task: { family: "modular-arithmetic", p: 59, op: "add", trainFraction: 0.3, seed: 0, testSize: 2048 },
    model: {
      unit: "sequential",
      children: [
        { unit: "embedding", dim: 64, positional: true },
        { unit: "residual", child: { unit: "attention", heads: 4, causal: true } },
        { unit: "residual", child: { unit: "mlp", width: 256, depth: 1, activation: "relu", bias: false, out: 64 } },
        { unit: "readout", pool: "last", bias: false },
      ],
    },
    train: {
      optimizer: "adamw",
      lr: 1e-3,
      weightDecay: 1,
      beta1: 0.9,
      beta2: 0.98,
      schedule: { kind: "warmup", warmupSteps: 10 },
      batchSize: "full",
      steps: 30_000,
      seed: 0,
      evalPoints: 150,
      evalExamples: 2048,
    },
  },
};
