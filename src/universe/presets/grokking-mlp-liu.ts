// The MLP toy of grokking (Liu et al. 2022; Liu, Michaud & Tegmark 2023,
// "Omnigrok"): learnable embeddings of a and b are added and decoded by an MLP.
// With weight decay the embeddings slowly arrange on a circle, and test accuracy
// follows long after train accuracy.

import type { Preset } from "./preset.js";

export const grokkingMlpLiu: Preset = {
  name: "grokking-mlp-liu",
  summary: "summed learnable embeddings of a and b decoded by an MLP on (a + b) mod 59: representation learning and delayed generalization.",
  source: "Z. Liu, O. Kitouni, N. Nolte, E. J. Michaud, M. Tegmark, M. Williams (2022). Towards Understanding Grokking: An Effective Theory of Representation Learning. NeurIPS 2022, arXiv:2205.10343; and Z. Liu, E. J. Michaud, M. Tegmark (2023). Omnigrok: Grokking Beyond Algorithmic Data. ICLR 2023, arXiv:2210.01117.",
  notes: [
    "Structure as in the papers' toy: E[a] + E[b] feeds an MLP decoder. toyworld has no sum pooling, so mean pooling over the two token embeddings (without positions) computes (E[a] + E[b]) / 2, the same sum up to a factor the decoder absorbs.",
    "Task: modular addition with p = 59 (the modulus of Liu et al.'s transformer runs) and 45% of the pairs for training, full batch.",
    "Decoder: 2 hidden ReLU layers of width 128 and embeddings of dim 32; the papers' exact widths, learning rates and per-part weight decay (they decay the decoder only) are not reproduced: toyworld applies one AdamW weight decay to every parameter.",
    "Steps: 10,000 full-batch AdamW steps (lr 1e-3, weight decay 1), about 3 minutes on one core. Measured here (seed 0): train accuracy 100% by step ~240, test accuracy flat near 44% (the pairs whose swap is in the train set) until step ~2,500, then 99.5% by ~4,200.",
  ],
  experiment: {
    name: "grokking-mlp-liu",
    task: { family: "modular-arithmetic", p: 59, op: "add", trainFraction: 0.45, seed: 0, testSize: 2048 },
    model: {
      unit: "sequential",
      children: [
        { unit: "embedding", dim: 32, positional: false },
        { unit: "pooling", mode: "mean" },
        { unit: "mlp", width: 128, depth: 1, activation: "relu" },
        { unit: "activation", fn: "relu" },
        { unit: "readout" },
      ],
    },
    train: {
      optimizer: "adamw",
      lr: 1e-3,
      weightDecay: 1,
      batchSize: "full",
      steps: 10_000,
      seed: 0,
      evalPoints: 150,
      evalExamples: 2048,
    },
  },
  sweep: { path: "train.weightDecay", values: [0, 0.01, 0.1, 0.3, 1, 3], note: "the papers' phase diagram: no decay memorizes, moderate decay groks, strong decay generalizes early or fails" },
};
