// grokking: train accuracy reaches 0.95 long before test accuracy does
// (generalization arrives far later than memorization). Without accuracies,
// the same test on losses: test loss makes its fall far later than train loss.
// Strength: the delay ratio (step test reaches / step train reaches) in
// decades of log-step; 0.5 decades (~3x later) is the least we report, 2
// decades (100x later) scores 1.

import type { Detector } from "../detector.js";
import { makeFinding } from "../finding.js";
import { clamp01, firstIndex, fmt, logLoss, logStep, round, series, type Series } from "../series.js";

/** accuracy that counts as "learned" for train and for test */
export const ACC_THRESHOLD = 0.95;
/** least delay, in decades of log10(1 + step), between train and test reaching it */
export const MIN_DELAY_DECADES = 0.5;
/** delay that scores 1 */
export const FULL_DELAY_DECADES = 2;
/** loss fallback: a loss has "fallen" once it covered this fraction of its log-range (initial -> minimum) */
export const LOSS_FALL_FRACTION = 0.5;
/** loss fallback: the test loss must fall at least this many decades overall to count */
export const MIN_LOSS_FALL_DECADES = 0.5;

const definition =
  `Train accuracy reaches ${ACC_THRESHOLD} at least ${MIN_DELAY_DECADES} decades of step before test accuracy does ` +
  `(or, without accuracies, test loss falls that much later than train loss); score = delay in decades / ${FULL_DELAY_DECADES}.`;

/** step at which a loss first covers LOSS_FALL_FRACTION of its log-range, and that range */
function fallStep(s: Series): { step: number; decades: number } | null {
  if (s.values.length < 3) return null;
  const y = s.values.map(logLoss);
  const y0 = y[0]!;
  const yMin = Math.min(...y);
  const decades = y0 - yMin;
  const i = firstIndex(y, (v) => v <= y0 - LOSS_FALL_FRACTION * decades);
  return i < 0 ? null : { step: s.steps[i]!, decades };
}

export const grokking: Detector<"grokking"> = {
  kind: "grokking",
  version: 1,
  definition,
  detect(run) {
    const trainAcc = series(run, "train_acc");
    const testAcc = series(run, "test_acc");
    let trainStep: number, testStep: number, basis: "accuracy" | "loss";
    if (trainAcc.values.length > 0 && testAcc.values.length > 0) {
      const i = firstIndex(trainAcc.values, (v) => v >= ACC_THRESHOLD);
      const j = firstIndex(testAcc.values, (v) => v >= ACC_THRESHOLD);
      if (i < 0 || j < 0) return [];
      trainStep = trainAcc.steps[i]!;
      testStep = testAcc.steps[j]!;
      basis = "accuracy";
    } else {
      const tr = fallStep(series(run, "train_loss"));
      const te = fallStep(series(run, "test_loss"));
      if (!tr || !te || te.decades < MIN_LOSS_FALL_DECADES) return [];
      trainStep = tr.step;
      testStep = te.step;
      basis = "loss";
    }
    const delay = logStep(testStep) - logStep(trainStep);
    if (delay < MIN_DELAY_DECADES) return [];
    const ratio = (1 + testStep) / (1 + trainStep);
    const what = basis === "accuracy" ? `accuracy reaches ${ACC_THRESHOLD}` : "loss makes most of its fall";
    return [makeFinding(this, {
      runIds: [run.id],
      score: clamp01(delay / FULL_DELAY_DECADES),
      interval: { fromStep: trainStep, toStep: testStep },
      evidence: { trainStep, testStep, delayDecades: round(delay), delayRatio: round(ratio), usedLoss: basis === "loss" ? 1 : 0 },
      explanation: `Train ${what} at step ${trainStep} but test ${what} only at step ${testStep}, ${fmt(ratio)}x later.`,
    })];
  },
};
