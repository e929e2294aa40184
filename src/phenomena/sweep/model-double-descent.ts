// model-double-descent: along a model-size axis (a width, dim, depth or out
// field of the model tree, or the parameter count of models scaled in several
// fields), the final test loss rises to a peak inside the sweep and falls again:
// the peak is at least 1.5x (MIN_PEAK_DECADES) above the lowest loss on each
// side and beyond the spread across repeats. Classically the peak sits at the
// interpolation threshold, where parameters ~ train examples; when both are
// known the evidence gives that ratio at the peak.
// Strength: the smaller of the two falls, in decades, over FULL_PEAK_DECADES.

import { makeFinding } from "../finding.js";
import { clamp01, fmt } from "../series.js";
import { doubleDescentPeak, FULL_PEAK_DECADES, MIN_PEAK_DECADES } from "./descent.js";
import type { SweepDetector } from "./detector.js";
import { axisOutcomes, evidence, lossOf, lossProfile } from "./shape.js";
import { viewRunIds } from "./view.js";

const definition =
  `Along a model-size axis, the final test loss (mean of log over repeats) has an interior peak at least ` +
  `${fmt(10 ** MIN_PEAK_DECADES)}x above the lowest loss on each side and beyond the spread across repeats; ` +
  `score = smaller fall in decades / ${FULL_PEAK_DECADES}.`;

export const modelDoubleDescent: SweepDetector<"model-double-descent"> = {
  kind: "model-double-descent",
  version: 1,
  definition,
  detect(view) {
    const ax = axisOutcomes(view);
    const peak = doubleDescentPeak(ax, "model-size");
    if (!peak) return [];
    const at = ax.points[peak.index]!, left = ax.points[peak.leftIndex]!, right = ax.points[peak.rightIndex]!;
    const params = view.path === "paramCount" ? at.value : at.paramCount;
    const ratio = params / at.trainSize;
    const threshold = Number.isFinite(ratio)
      ? ` (${fmt(params)} parameters for ${fmt(at.trainSize)} train examples, ratio ${fmt(ratio)})`
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
        paramCountAtPeak: params, trainSize: at.trainSize, paramsPerTrainExample: ratio,
      }),
      explanation:
        `Along ${view.path}, final test loss is ${fmt(lossOf(left))} at ${fmt(left.value)}, peaks at ${fmt(lossOf(at))} at ` +
        `${fmt(at.value)}${threshold} and falls again to ${fmt(lossOf(right))} at ${fmt(right.value)}.`,
    })];
  },
};
