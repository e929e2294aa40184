// sample-double-descent: along the train set's size (task.trainSize or
// task.trainFraction), the final test loss rises to a peak inside the sweep and
// falls again, so that over some range more data hurts: the peak is at least
// 1.5x (MIN_PEAK_DECADES) above the lowest loss on each side and beyond the
// spread across repeats. Classically the peak sits where the train set is about
// as large as the model's parameter count; when both are known the evidence
// gives parameters per train example at the peak.
// Strength: the smaller of the two falls, in decades, over FULL_PEAK_DECADES.

import { makeFinding } from "../finding.js";
import { clamp01, fmt } from "../series.js";
import { doubleDescentPeak, FULL_PEAK_DECADES, MIN_PEAK_DECADES } from "./descent.js";
import type { SweepDetector } from "./detector.js";
import { axisOutcomes, evidence, lossOf, lossProfile } from "./shape.js";
import { viewRunIds } from "./view.js";

const definition =
  `Along task.trainSize or task.trainFraction, the final test loss (mean of log over repeats) has an interior peak at least ` +
  `${fmt(10 ** MIN_PEAK_DECADES)}x above the lowest loss on each side and beyond the spread across repeats; ` +
  `score = smaller fall in decades / ${FULL_PEAK_DECADES}.`;

export const sampleDoubleDescent: SweepDetector<"sample-double-descent"> = {
  kind: "sample-double-descent",
  version: 1,
  definition,
  detect(view) {
    const ax = axisOutcomes(view);
    const peak = doubleDescentPeak(ax, "data-size");
    if (!peak) return [];
    const at = ax.points[peak.index]!, left = ax.points[peak.leftIndex]!, right = ax.points[peak.rightIndex]!;
    const trainSize = view.path === "task.trainSize" ? at.value : NaN;
    const ratio = at.paramCount / trainSize;
    const threshold = Number.isFinite(ratio)
      ? ` (${fmt(trainSize)} train examples for ${fmt(at.paramCount)} parameters, ratio ${fmt(ratio)})`
      : "";
    return [makeFinding(this, {
      runIds: viewRunIds(view),
      score: clamp01(peak.prominence / FULL_PEAK_DECADES),
      interval: null,
      coordinate: { path: view.path, value: at.value },
      evidence: evidence({
        ...lossProfile(ax),
        peakValue: at.value, peakTestLoss: lossOf(at),
        leftMinValue: left.value, leftMinTestLoss: lossOf(left),
        rightMinValue: right.value, rightMinTestLoss: lossOf(right),
        prominenceDecades: peak.prominence,
        paramCountAtPeak: at.paramCount, trainSize, paramsPerTrainExample: ratio,
      }),
      explanation:
        `Along ${view.path}, final test loss is ${fmt(lossOf(left))} at ${fmt(left.value)}, rises with more data to ` +
        `${fmt(lossOf(at))} at ${fmt(at.value)}${threshold} and falls again to ${fmt(lossOf(right))} at ${fmt(right.value)}.`,
    })];
  },
};
