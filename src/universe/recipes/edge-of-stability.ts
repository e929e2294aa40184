// edge-of-stability: full-batch gradient descent on a small tanh MLP with the
// sharpness (top Hessian eigenvalue of the train loss) recorded. At a learning
// rate lr the sharpness rises until it reaches 2/lr, the stability threshold of
// gradient descent, and then hovers there while the loss keeps falling
// non-monotonically. Negative controls: learning rates so small that the
// threshold is far above the sharpness the run ever reaches, one too small to
// learn at all, and one above the threshold at initialization (diverges).

import type { ExperimentInput } from "../config/experiment.js";
import { expecting, type Recipe, type RecipeRun } from "./recipe.js";

function experiment(lr: number): ExperimentInput {
  return {
    name: `eos lr${lr}`,
    task: { family: "teacher-student", inputDim: 10, width: 32, depth: 2, noise: 0, trainSize: 256, testSize: 512, seed: 0 },
    model: {
      unit: "sequential",
      children: [{ unit: "mlp", width: 64, depth: 2, activation: "tanh" }, { unit: "activation", fn: "tanh" }, { unit: "readout" }],
    },
    train: { optimizer: "sgd", lr, momentum: 0, batchSize: "full", steps: 6000, seed: 0, evalPoints: 50, evalExamples: 256 },
    log: { sharpness: true },
  };
}

const run = (lr: number, expect: RecipeRun["expect"], why: string): RecipeRun => ({ label: `lr${lr}`, experiment: experiment(lr), expect, why });

export const edgeOfStability: Recipe = {
  name: "edge-of-stability",
  summary: "full-batch GD on a tanh MLP: the sharpness rises to 2/lr and hovers there (edge of stability); small learning rates stay far below it.",
  source:
    "J. Cohen, S. Kaur, Y. Li, J. Z. Kolter, A. Talwalkar (2021). Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability. ICLR 2021, " +
    "arXiv:2103.00065 (full-batch GD on a 5k CIFAR-10 subset with tanh MLPs and MSE: the sharpness rises to 2/lr and hovers just above it, for lr from 2/100 to 2/30).",
  notes: [
    "Task: regression onto a random 2-layer tanh teacher (256 examples, 10 inputs) instead of a CIFAR-10 subset; model: a tanh MLP with 2 hidden layers of 64 and MSE loss.",
    "6,000 full-batch steps; the sharpness is measured at 50 log-spaced evaluations by 20 power iterations on 256 train examples.",
    "Initial sharpness ~5 (threshold lr ~0.4); the learning rates 0.15..0.5 put 2/lr between 4 and 13.3, within reach of progressive sharpening.",
    "Negative controls: lr 0.01..0.05 (2/lr = 40..200, far above the ~7-15 the sharpness reaches), lr 1e-5 (barely learns: slow learning) and lr 1 (2/lr = 2 is below the initial sharpness: diverges within a few steps).",
  ],
  sweeps: [
    {
      name: "lr",
      note: "learning rates 1e-5..1 in one population",
      runs: [
        run(1e-5, expecting("slow-learning"), "the loss falls by a few percent in 6,000 steps"),
        run(0.01, expecting(), "2/lr = 200 is far above the sharpness"),
        run(0.03, expecting(), "2/lr = 67 is far above the sharpness"),
        run(0.05, expecting(), "2/lr = 40 is above the sharpness the run reaches"),
        run(0.15, expecting("edge-of-stability"), "progressive sharpening reaches 2/lr = 13.3 after ~1,500 steps"),
        run(0.2, expecting("edge-of-stability"), "the sharpness reaches 2/lr = 10 after ~1,000 steps"),
        run(0.3, expecting("edge-of-stability", "loss-spike"),
          "the sharpness sits at 2/lr = 6.7 from the first tens of steps; at the edge the loss falls non-monotonically, jumping ~2.5x and recovering at steps ~160-700 (seen in the curves)"),
        run(0.5, expecting("edge-of-stability", "loss-spike"),
          "a catapult: the loss jumps 20x at steps 4-7 while the sharpness falls from 7.5 to 2/lr = 4, where it stays; later 2x jumps (seen in the curves)"),
        run(1, expecting("divergence"), "2/lr = 2 is below the initial sharpness"),
      ],
      expect: { cliff: true },
    },
  ],
};
