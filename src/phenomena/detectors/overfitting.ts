// overfitting: after some point the test loss rises while the train loss keeps
// falling. The point is the (smoothed) minimum of the test loss; from there to
// the end the test loss rises by at least MIN_RISE_FACTOR and the train loss
// falls to at most TRAIN_FALL_RATIO of its value there. A test loss that comes
// back down by the end is epoch-wise double descent, not overfitting. Diverged
// runs are left to the divergence detector (their test loss rises because the
// whole run blows up).
// Strength: the test loss rise in decades over FULL_RISE_DECADES.

import type { Detector } from "../detector.js";
import { makeFinding } from "../finding.js";
import { clamp01, fmt, logLoss, median3, round, series, tailMedian } from "../series.js";

/** the final test loss is at least this multiple of its minimum */
export const MIN_RISE_FACTOR = 1.2;
/** the final train loss is at most this multiple of its value at the test minimum */
export const TRAIN_FALL_RATIO = 0.9;
/** a rise of this many decades (4x) scores 1 */
export const FULL_RISE_DECADES = Math.log10(4);
/** final evaluations whose median is "the end" */
export const TAIL_POINTS = 3;

const definition =
  `From the minimum of the (3-point median) test loss to the end, test loss rises at least ${MIN_RISE_FACTOR}x while train loss ` +
  `falls to at most ${TRAIN_FALL_RATIO}x (runs that diverged excluded); score = log10(rise) / log10(4).`;

/** value of a series at (or just before) a step */
function valueAt(steps: number[], values: number[], step: number): number {
  let v = NaN;
  for (let i = 0; i < steps.length && steps[i]! <= step; i++) v = values[i]!;
  return v;
}

export const overfitting: Detector<"overfitting"> = {
  kind: "overfitting",
  version: 2,
  definition,
  detect(run) {
    if (run.status === "diverged") return [];
    const test = series(run, "test_loss");
    const train = series(run, "train_loss");
    if (test.values.length < 4 || train.values.length < 2) return [];
    const y = median3(test.values);
    let m = 0;
    for (let i = 1; i < y.length; i++) if (y[i]! < y[m]!) m = i;
    if (m >= y.length - 2) return [];
    const minStep = test.steps[m]!;
    const testMin = y[m]!;
    const testEnd = tailMedian(test.values.slice(m + 1), TAIL_POINTS);
    const trainAtMin = valueAt(train.steps, train.values, minStep);
    const trainEnd = tailMedian(train.values, TAIL_POINTS);
    if (!(testEnd >= MIN_RISE_FACTOR * testMin) || !(trainEnd <= TRAIN_FALL_RATIO * trainAtMin)) return [];
    const rise = logLoss(testEnd) - logLoss(testMin);
    const endStep = test.steps[test.steps.length - 1]!;
    return [makeFinding(this, {
      runIds: [run.id],
      score: clamp01(rise / FULL_RISE_DECADES),
      interval: { fromStep: minStep, toStep: endStep },
      evidence: { testLossMin: round(testMin), testLossEnd: round(testEnd), trainLossAtMin: round(trainAtMin), trainLossEnd: round(trainEnd), riseDecades: round(rise) },
      explanation: `From step ${minStep} test loss rises from ${fmt(testMin)} to ${fmt(testEnd)} while train loss falls from ${fmt(trainAtMin)} to ${fmt(trainEnd)}.`,
    })];
  },
};
