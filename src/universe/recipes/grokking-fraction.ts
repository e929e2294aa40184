// grokking-fraction: grokking on modular addition and how its delay grows as
// the train fraction shrinks. The MLP toy of Liu et al. (the grokking-mlp-liu
// preset) with AdamW and weight decay, swept over the train fraction; negative
// controls without weight decay (the model memorizes and never generalizes
// within the budget); a large fraction (0.8) shortens the delay to ~7x.

import type { ExperimentInput } from "../config/experiment.js";
import { presets } from "../presets/index.js";
import { expecting, type Recipe, type RecipeRun } from "./recipe.js";

const STEPS = 5000;

function experiment(fraction: number, weightDecay: number, steps = STEPS): ExperimentInput {
  return {
    name: `grokking-fraction f${fraction} wd${weightDecay}`,
    task: { family: "modular-arithmetic", p: 59, op: "add", trainFraction: fraction, seed: 0, testSize: 1024 },
    // the preset's embedding MLP, unchanged
    model: structuredClone(presets["grokking-mlp-liu"].experiment.model),
    train: {
      optimizer: "adamw", lr: 3e-3, weightDecay, batchSize: "full", steps, seed: 0,
      evalPoints: 100, evalExamples: 1024,
    },
  };
}

const grokking = (fraction: number): RecipeRun => ({
  label: `frac${fraction}-wd1`,
  experiment: experiment(fraction, 1),
  expect: expecting("grokking"),
});

export const grokkingFraction: Recipe = {
  name: "grokking-fraction",
  summary: "modular addition (p = 59) with an embedding MLP and AdamW (wd 1): the grokking delay grows steeply as the train fraction shrinks.",
  source:
    "N. Nanda, L. Chan, T. Lieberum, J. Smith, J. Steinhardt (2023). Progress measures for grokking via mechanistic interpretability. ICLR 2023, arXiv:2301.05217 " +
    "(p = 113, one-layer transformer d_model 128, full-batch AdamW lr 1e-3, wd 1: at 30% train data the test loss falls below 0.01 only after ~8,000 epochs, " +
    "at 50% after ~1,100; train loss < 0.01 within ~155-325 epochs). Model: Z. Liu, O. Kitouni, N. Nolte, E. J. Michaud, M. Tegmark, M. Williams (2022), " +
    "Towards Understanding Grokking, NeurIPS 2022, arXiv:2205.10343 (summed embeddings decoded by an MLP).",
  notes: [
    "Model and task of the grokking-mlp-liu preset (p = 59, embeddings of dim 32 mean-pooled, 2 hidden ReLU layers of 128), not Nanda's transformer: it groks in about a tenth of the time on a CPU.",
    `lr 3e-3 instead of 1e-3 and ${STEPS.toLocaleString("en-US")} full-batch steps, so that the 30% run groks inside the budget (about 8 CPU-minutes for the recipe).`,
    "Fractions 0.3..0.6 (Nanda sweeps 0.3..0.9 at p = 113); weight decay 1 on every parameter (toyworld has one AdamW decay).",
    "The model sees (a, b) and (b, a) alike (mean pooling), so test accuracy first jumps with train accuracy to the share of test pairs whose swap is in the train set (about the train fraction) and the rest is generalized later.",
    "Negative controls: weight decay 0 at fractions 0.3 and 0.4 (memorizes: train accuracy 1, test stays at the share of swapped pairs). The intended large-fraction control (0.8, 1,500 steps) still groks the unseen 21% of pairs 7x after memorizing, so it is labelled a positive: this recipe has no large-fraction negative.",
  ],
  sweeps: [
    {
      name: "fraction",
      note: "train fraction 0.3..0.6 with weight decay 1: every run groks, the delay shrinks as the fraction grows",
      runs: [0.3, 0.35, 0.4, 0.5, 0.6].map(grokking),
      expect: { "sample-double-descent": false },
    },
    {
      name: "controls",
      note: "no weight decay (memorization) and a large train fraction (a short delay)",
      runs: [
        { label: "frac0.3-wd0", experiment: experiment(0.3, 0), expect: expecting("memorization", "overfitting"), why: "without weight decay nothing pulls the memorizing solution towards the general one; its test loss climbs all run while the train loss falls" },
        { label: "frac0.4-wd0", experiment: experiment(0.4, 0), expect: expecting("memorization", "overfitting"), why: "as above, at 40% of the pairs" },
        {
          label: "frac0.8-wd1", experiment: experiment(0.8, 1, 1500), expect: expecting("grokking"),
          why: "meant as a control, but the delay shrinks without vanishing: test accuracy sits at 79% (the pairs whose swap is in the train set) from step ~100 and reaches 95% only at ~600 (seen in the curves)",
        },
      ],
      expect: {},
    },
  ],
};
