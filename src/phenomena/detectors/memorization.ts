// memorization: train accuracy gets near 1 while test accuracy stays low to
// the end of the run (the model fits the training set without generalizing,
// and unlike grokking, never recovers within the run).
// Strength: the final train-test accuracy gap.

import type { Detector } from "../detector.js";
import { makeFinding } from "../finding.js";
import { clamp01, firstIndex, fmt, round, series, tailMedian } from "../series.js";

/** train accuracy that counts as "near 1" (at the end, and the step it is first reached) */
export const TRAIN_NEAR_ONE = 0.98;
/** test accuracy at or above this is not "low" */
export const TEST_LOW_MAX = 0.6;
/** number of final evaluations whose median is "the end" (robust to one noisy point) */
export const TAIL_POINTS = 3;

const definition =
  `Train accuracy ends >= ${TRAIN_NEAR_ONE} while test accuracy ends (median of the last ${TAIL_POINTS} evaluations) ` +
  `below ${TEST_LOW_MAX}; score = final train accuracy - final test accuracy.`;

export const memorization: Detector<"memorization"> = {
  kind: "memorization",
  version: 1,
  definition,
  detect(run) {
    const train = series(run, "train_acc");
    const test = series(run, "test_acc");
    if (train.values.length === 0 || test.values.length === 0) return [];
    const trainEnd = tailMedian(train.values, TAIL_POINTS);
    const testEnd = tailMedian(test.values, TAIL_POINTS);
    if (!(trainEnd >= TRAIN_NEAR_ONE) || !(testEnd < TEST_LOW_MAX)) return [];
    const i = firstIndex(train.values, (v) => v >= TRAIN_NEAR_ONE);
    const fromStep = train.steps[Math.max(0, i)]!;
    const toStep = Math.max(train.steps[train.steps.length - 1]!, test.steps[test.steps.length - 1]!);
    return [makeFinding(this, {
      runIds: [run.id],
      score: clamp01(trainEnd - testEnd),
      interval: { fromStep, toStep },
      evidence: { trainAccEnd: round(trainEnd), testAccEnd: round(testEnd), testAccMax: round(Math.max(...test.values)), memorizedAt: fromStep },
      explanation: `Train accuracy reaches ${TRAIN_NEAR_ONE} by step ${fromStep} (ending at ${fmt(trainEnd)}) but test accuracy is still ${fmt(testEnd)} at step ${toStep}.`,
    })];
  },
};
