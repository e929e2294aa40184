// non-monotonic: along an axis, the final test loss is not monotone: it has an
// interior optimum (U shape, the loss rises on both sides of a valley) or an
// interior worst point (inverted U). Both sides must differ from the extremum by
// at least MIN_CHANGE_DECADES (1.25x) and by more than the spread across repeats
// at the points compared, so single-point noise between repeats is not reported.
// A peak that model- or sample-wise double descent reports on the same axis,
// and the valley before it (the bottom of the first descent), are left to them.
// Strength: the smaller side's change in decades over FULL_CHANGE_DECADES.

import { makeFinding } from "../finding.js";
import { clamp01, fmt } from "../series.js";
import { doubleDescentPeak } from "./descent.js";
import type { SweepDetector } from "./detector.js";
import { axisOutcomes, evidence, extrema, lossOf, lossProfile, type AxisOutcomes } from "./shape.js";
import { viewRunIds } from "./view.js";

/** both sides differ from the extremum by at least 1.25x */
export const MIN_CHANGE_DECADES = Math.log10(1.25);
/** a change of one decade (10x) on the smaller side scores 1 */
export const FULL_CHANGE_DECADES = 1;

const definition =
  `The final test loss (mean of log over repeats) has an interior minimum or maximum that differs from the extreme ` +
  `point on each side by at least ${fmt(10 ** MIN_CHANGE_DECADES)}x and by more than the spread across repeats; ` +
  `peaks explained by double descent are left out; score = smaller side in decades / ${FULL_CHANGE_DECADES}.`;

/** point indices a double-descent finding on this axis already accounts for */
function explainedByDoubleDescent(ax: AxisOutcomes): Set<number> {
  const kind = ax.view.axis;
  if (kind === "hyperparameter") return new Set();
  const peak = doubleDescentPeak(ax, kind);
  return peak ? new Set([peak.index, peak.leftIndex]) : new Set();
}

export const nonMonotonic: SweepDetector<"non-monotonic"> = {
  kind: "non-monotonic",
  version: 1,
  definition,
  detect(view) {
    const ax = axisOutcomes(view);
    const explained = explainedByDoubleDescent(ax);
    const candidates = [
      ...extrema(ax, "valley", MIN_CHANGE_DECADES).map((e) => ({ ...e, shape: "valley" as const })),
      ...extrema(ax, "peak", MIN_CHANGE_DECADES).map((e) => ({ ...e, shape: "peak" as const })),
    ].filter((e) => !explained.has(e.index)).sort((a, b) => b.prominence - a.prominence);
    const best = candidates[0];
    if (!best) return [];
    const at = ax.points[best.index]!, left = ax.points[best.leftIndex]!, right = ax.points[best.rightIndex]!;
    const lowest = best.shape === "valley";
    return [makeFinding(this, {
      runIds: viewRunIds(view),
      score: clamp01(best.prominence / FULL_CHANGE_DECADES),
      interval: null,
      coordinate: { path: view.path, value: at.value },
      evidence: evidence({
        ...lossProfile(ax),
        /** 1: interior minimum (U), -1: interior maximum (inverted U) */
        shape: lowest ? 1 : -1,
        extremumValue: at.value, extremumTestLoss: lossOf(at),
        leftValue: left.value, leftTestLoss: lossOf(left),
        rightValue: right.value, rightTestLoss: lossOf(right),
        leftDecades: best.leftDecades, rightDecades: best.rightDecades,
        spreadAtExtremum: at.logLossSpread,
      }),
      explanation:
        `Along ${view.path}, final test loss is ${lowest ? "lowest" : "highest"} inside the sweep, ${fmt(lossOf(at))} at ` +
        `${fmt(at.value)}, against ${fmt(lossOf(left))} at ${fmt(left.value)} and ${fmt(lossOf(right))} at ${fmt(right.value)}.`,
    })];
  },
};
