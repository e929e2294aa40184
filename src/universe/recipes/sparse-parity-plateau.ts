// sparse-parity-plateau: learning (n, 3)-sparse parities with SGD. The loss
// sits at chance for a stretch that grows with n, then drops abruptly (Barak
// et al.'s "hidden progress"). Negative controls: 1-sparse parities (one
// relevant bit: learned at once, no plateau) and a budget that ends on the
// plateau (the run learns nothing visible: slow learning, no drop).

import type { ExperimentInput } from "../config/experiment.js";
import { expecting, type Recipe, type RecipeRun } from "./recipe.js";

function experiment(n: number, k: number, seed: number, steps = 10_000): ExperimentInput {
  return {
    name: `sparse-parity n${n} k${k} seed${seed}`,
    task: { family: "sparse-parity", n, k, noise: 0, trainSize: "stream", seed: 0, testSize: 1024 },
    model: { unit: "sequential", children: [{ unit: "linear", width: 256 }, { unit: "activation", fn: "relu" }, { unit: "readout" }] },
    train: { optimizer: "sgd", lr: 0.1, momentum: 0, batchSize: 32, steps, seed, evalPoints: 80, evalExamples: 1024 },
  };
}

const plateau = (n: number, seed: number): RecipeRun => ({
  label: `n${n}-k3-seed${seed}`,
  experiment: experiment(n, 3, seed),
  expect: expecting("plateau-drop"),
});

export const sparseParityPlateau: Recipe = {
  name: "sparse-parity-plateau",
  summary: "(n, 3)-sparse parity with a one-hidden-layer ReLU MLP and SGD: a plateau at chance whose length grows with n, then a sudden drop.",
  source:
    "B. Barak, B. L. Edelman, S. Goel, S. Kakade, E. Malach, C. Zhang (2022). Hidden Progress in Deep Learning: SGD Learns Parities Near the Computational Limit. " +
    "NeurIPS 2022, arXiv:2207.08799 (width-1000 MLPs learn (50, 3)-parities after a plateau of ~10^4 steps; the steps grow like n^k).",
  notes: [
    "Width 256 instead of 1,000 and n = 20..50 instead of 50..100, SGD lr 0.1, batch 32, fresh samples, 10,000 steps: the drop comes at a few hundred (n = 20) to a few thousand (n = 50) steps.",
    "Negative controls: k = 1 (learned within tens of steps) and n = 50 stopped after 300 steps, while still on the plateau.",
  ],
  sweeps: [
    {
      name: "n",
      note: "n = 20..50 relevant-bit count 3, seeds 0 and 1: the plateau lengthens with n",
      runs: [20, 30, 40, 50].flatMap((n) => [plateau(n, 0), plateau(n, 1)]),
      expect: {},
    },
    {
      name: "controls",
      note: "1-sparse parities (no plateau) and a budget that ends on the plateau",
      runs: [
        { label: "n30-k1", experiment: experiment(30, 1, 0), expect: expecting(), why: "one relevant bit: the loss falls from the first steps" },
        { label: "n50-k1", experiment: experiment(50, 1, 0), expect: expecting(), why: "one relevant bit: the loss falls from the first steps" },
        { label: "n50-k3-short", experiment: experiment(50, 3, 0, 300), expect: expecting("slow-learning"), why: "300 steps end on the plateau: the loss stays at chance" },
        { label: "n50-k3-short-seed1", experiment: experiment(50, 3, 1, 300), expect: expecting("slow-learning"), why: "as above, seed 1" },
      ],
      expect: {},
    },
  ],
};
