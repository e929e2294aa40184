// Learning sparse parities with SGD (Barak et al. 2022): the loss sits on a plateau
// for many steps while the network's weights slowly align with the k relevant bits
// ("hidden progress"), then drops abruptly.

import type { Preset } from "./preset.js";

export const sparseParityBarak: Preset = {
  name: "sparse-parity-barak",
  summary: "(50, 3)-sparse parity from fresh samples with a one-hidden-layer ReLU MLP and SGD: a long plateau, then a sudden drop.",
  source: "B. Barak, B. L. Edelman, S. Goel, S. Kakade, E. Malach, C. Zhang (2022). Hidden Progress in Deep Learning: SGD Learns Parities Near the Computational Limit. NeurIPS 2022, arXiv:2207.08799.",
  notes: [
    "Task as in the paper: n = 50 bits, k = 3 relevant, online (a stream of fresh examples), no label noise.",
    "Model: one hidden ReLU layer of width 1,000 as in the paper's MLP runs, then a 2-class readout trained with cross-entropy (the paper also uses the hinge loss).",
    "Optimizer: plain SGD without momentum, batch 32, lr 0.1 (our choice within the paper's range); the paper's initialization details are not reproduced (toyworld uses PyTorch's defaults).",
    "Steps: 20,000 (about half a minute on one core). Measured here (seed 0): test accuracy stays at chance (50-53%) for ~2,600 steps, then reaches 100% by step ~3,600; the plateau length varies a lot with the seed and n, as in the paper.",
  ],
  experiment: {
    name: "sparse-parity-barak",
    task: { family: "sparse-parity", n: 50, k: 3, noise: 0, trainSize: "stream", seed: 0, testSize: 2048 },
    model: {
      unit: "sequential",
      children: [{ unit: "linear", width: 1000 }, { unit: "activation", fn: "relu" }, { unit: "readout" }],
    },
    train: { optimizer: "sgd", lr: 0.1, momentum: 0, batchSize: 32, steps: 20_000, seed: 0, evalPoints: 150, evalExamples: 2048 },
  },
  sweep: { path: "task.n", values: [20, 30, 40, 50], note: "steps to learn grow like n^k (here n^3)" },
};
