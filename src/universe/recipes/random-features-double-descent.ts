// random-features-double-descent: model-wise double descent in its cleanest
// form. A fixed random ReLU feature map (the random-features unit, not
// trained) feeds a linear readout fitted to n = 64 noisy teacher-student
// examples; sweeping the number of features across n, the final test loss
// rises to a peak where the model can just interpolate the train set (width ~
// n) and falls again for wider models. Negative control: the same sweep with a
// ridge penalty large enough to remove the peak.

import type { ExperimentInput } from "../config/experiment.js";
import { expecting, type Recipe, type RecipeRun } from "./recipe.js";

/** train examples: the interpolation threshold sits at width ~ N_TRAIN (+1 for the readout bias) */
export const N_TRAIN = 64;
const WIDTHS = [8, 16, 32, 48, 56, 64, 72, 80, 96, 128, 256, 512, 1024];
// Labels of the phenomena that come with the setup rather than being its point
// were set by looking at the recorded curves (toyworld repro, 2026-11-22):
/** without ridge, the test loss rises after its minimum while the train loss falls (1.4-3x) at every width from 32 on */
const OVERFITTING_WIDTHS = new Set([32, 48, 56, 64, 72, 80, 96, 128, 256, 512, 1024]);
/** with ridge 0.1 the widest readouts still overfit mildly (test 0.16-0.18 -> 0.21-0.25 while train falls 4-15x) */
const RIDGE_OVERFITTING_WIDTHS = new Set([256, 512, 1024]);
/**
 * Adam (lr 0.01) spikes: at 512 and 1024 features the train loss oscillates 3-10x in the first ~40 steps;
 * some runs also jump once late (width 256: 2e-8 -> 0.015 at step ~660; 512: 1e-5 -> 0.1 at ~1,900).
 */
const SPIKE_WIDTHS = new Set([256, 512, 1024]);
const RIDGE_SPIKE_WIDTHS = new Set([512, 1024]);

function experiment(width: number, weightDecay: number): ExperimentInput {
  return {
    name: `rf-dd width${width} wd${weightDecay}`,
    task: { family: "teacher-student", inputDim: 10, width: 32, depth: 1, noise: 0.3, trainSize: N_TRAIN, testSize: 1024, seed: 0 },
    model: { unit: "sequential", children: [{ unit: "random-features", width, fn: "relu", seed: 0 }, { unit: "readout" }] },
    train: {
      optimizer: "adam", lr: 0.01, weightDecay, batchSize: "full", steps: 10_000, initScale: 0.001, seed: 0,
      evalPoints: 80, evalExamples: 1024,
    },
  };
}

const labels = (overfits: boolean, spikes: boolean): RecipeRun["expect"] =>
  expecting(...(overfits ? ["overfitting" as const] : []), ...(spikes ? ["loss-spike" as const] : []));

const plain = (width: number): RecipeRun => ({
  label: `width${width}`,
  experiment: experiment(width, 0),
  expect: labels(OVERFITTING_WIDTHS.has(width), SPIKE_WIDTHS.has(width)),
  why: OVERFITTING_WIDTHS.has(width)
    ? "once the readout can fit the label noise the test loss rises after its minimum while the train loss falls"
    : "with 8 or 16 features the readout cannot fit the noise: both losses fall and stay",
});

const ridge = (width: number): RecipeRun => ({
  label: `width${width}-ridge`,
  experiment: experiment(width, 0.1),
  expect: labels(RIDGE_OVERFITTING_WIDTHS.has(width), RIDGE_SPIKE_WIDTHS.has(width)),
  why: "the ridge penalty keeps the readout from fitting most of the noise",
});

export const randomFeaturesDoubleDescent: Recipe = {
  name: "random-features-double-descent",
  summary: `random ReLU features + a trained linear readout on ${N_TRAIN} noisy regression examples: the test loss peaks at width ~ ${N_TRAIN} and falls again.`,
  source:
    "M. Belkin, D. Hsu, S. Ma, S. Mandal (2019). Reconciling modern machine-learning practice and the classical bias-variance trade-off. PNAS 116(32), arXiv:1812.11118 " +
    "(random Fourier features on MNIST, n = 10^4: test error peaks at N = n features and falls again); S. Mei, A. Montanari (2019). The generalization error of " +
    "random features regression. arXiv:1908.05355 (the peak at N/n = 1, removed by an optimal ridge penalty).",
  notes: [
    `n = ${N_TRAIN} teacher-student examples (10 inputs, a tanh teacher, target noise 0.3) instead of MNIST's 10^4, so the whole sweep trains in seconds.`,
    "The readout is trained by full-batch Adam (lr 0.01, 10,000 steps) from a near-zero init (init scale 1e-3) instead of the closed-form minimum-norm solution; near the threshold the fit is ill-conditioned and not fully converged, which damps the peak but keeps it.",
    "The peak sits at width ~ n + 1 (the readout has a bias).",
    "Negative control: the same widths with an L2 penalty of 0.1 (Adam's weight decay), which removes the peak.",
  ],
  sweeps: [
    { name: "width", note: `features 8..1024 around n = ${N_TRAIN}, no penalty`, runs: WIDTHS.map(plain), expect: { "model-double-descent": true } },
    { name: "width-ridge", note: "the same widths with an L2 penalty of 0.1", runs: WIDTHS.map(ridge), expect: { "model-double-descent": false } },
  ],
};
