// The double-descent shape shared by model-wise and sample-wise double descent
// (and consulted by non-monotonic, which leaves it to them): along a size axis,
// the final test loss has an interior peak that stands at least MIN_PEAK_DECADES
// (1.5x) above the lowest point on each side, beyond the spread across repeats.
// The size axes are the model's (width, dim, depth, out, paramCount) and the
// train set's (task.trainSize, task.trainFraction).
// descentFindings builds the finding both report; each detector says only how
// it reads the parameter and train-set counts at the peak and how to word it.

import type { Finding } from "../finding.js";
import { makeFinding } from "../finding.js";
import { clamp01, fmt } from "../series.js";
import type { PointOutcome } from "./outcome.js";
import { axisOutcomes, evidence, extrema, lossOf, lossProfile, type AxisOutcomes, type Extremum } from "./shape.js";
import { viewRunIds, type AxisKind, type SweepView } from "./view.js";

/** the peak stands at least 1.5x above the lowest loss on each side */
export const MIN_PEAK_DECADES = Math.log10(1.5);
/** a peak one decade (10x) above both sides scores 1 */
export const FULL_PEAK_DECADES = 1;

/** The most prominent double-descent peak along a size axis of the given kind, or null. */
export function doubleDescentPeak(ax: AxisOutcomes, kind: AxisKind): Extremum | null {
  if (ax.view.axis !== kind) return null;
  return extrema(ax, "peak", MIN_PEAK_DECADES)[0] ?? null;
}

/** What differs between model-wise and sample-wise double descent at a found peak. */
export interface PeakReading {
  paramCount: number;
  trainSize: number;
  /** how the loss reaches the peak, e.g. "peaks at" or "rises with more data to" */
  rises: string;
  /** the threshold clause when both counts are known, e.g. "(1002 parameters for 1000 train examples" */
  counts(params: string, trainSize: string): string;
}

/** The double-descent finding of `detector` along `view`, or none without a peak. */
export function descentFindings(
  detector: { kind: string; version: number }, view: SweepView, kind: AxisKind, read: (at: PointOutcome) => PeakReading,
): Finding[] {
  const ax = axisOutcomes(view);
  const peak = doubleDescentPeak(ax, kind);
  if (!peak) return [];
  const at = ax.points[peak.index]!, left = ax.points[peak.leftIndex]!, right = ax.points[peak.rightIndex]!;
  const r = read(at);
  const ratio = r.paramCount / r.trainSize;
  const threshold = Number.isFinite(ratio) ? ` ${r.counts(fmt(r.paramCount), fmt(r.trainSize))}, ratio ${fmt(ratio)})` : "";
  return [makeFinding(detector, {
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
      paramCountAtPeak: r.paramCount, trainSize: r.trainSize, paramsPerTrainExample: ratio,
    }),
    explanation:
      `Along ${view.path}, final test loss is ${fmt(lossOf(left))} at ${fmt(left.value)}, ${r.rises} ` +
      `${fmt(lossOf(at))} at ${fmt(at.value)}${threshold} and falls again to ${fmt(lossOf(right))} at ${fmt(right.value)}.`,
  })];
}
