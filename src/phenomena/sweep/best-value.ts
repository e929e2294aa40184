// best-value (informational): for every axis with at least MIN_POINTS usable
// points (most runs did not diverge, a final test loss is known), the value
// with the lowest final test loss and how sensitive the loss is around it. On a
// log-scaled axis (positive values spanning >= 10x) the sensitivity is the mean
// worsening, in decades of loss per doubling (or halving) of the value, from
// the best point to its usable neighbours; on a linear axis it is the range of
// log loss across the axis. A best value at the edge of the sweep is flagged:
// the optimum may lie beyond it.
// Strength: sensitivity / FULL_SENSITIVITY_PER_DOUBLING on log axes, range /
// FULL_RANGE_DECADES on linear ones (a sharp optimum scores high).

import { makeFinding } from "../finding.js";
import { clamp01, fmt } from "../series.js";
import type { SweepDetector } from "./detector.js";
import { axisOutcomes, evidence, lossOf, lossProfile, usable } from "./shape.js";
import { viewRunIds } from "./view.js";

export const MIN_POINTS = 3;
/** 0.3 decades (2x) of loss per doubling of the value scores 1 */
export const FULL_SENSITIVITY_PER_DOUBLING = 0.3;
/** a range of one decade across a linear axis scores 1 */
export const FULL_RANGE_DECADES = 1;

const definition =
  `For an axis with >= ${MIN_POINTS} usable points, the value of lowest final test loss (diverged runs ignored); ` +
  `score = decades of loss lost per doubling/halving next to it / ${FULL_SENSITIVITY_PER_DOUBLING} on log axes, ` +
  `range of log loss / ${FULL_RANGE_DECADES} on linear axes.`;

export const bestValue: SweepDetector<"best-value"> = {
  kind: "best-value",
  version: 1,
  definition,
  detect(view) {
    const ax = axisOutcomes(view);
    const used = ax.points.filter(usable);
    if (used.length < MIN_POINTS) return [];
    let b = 0;
    for (let i = 1; i < used.length; i++) if (used[i]!.logLoss < used[b]!.logLoss) b = i;
    const best = used[b]!;
    const logs = used.map((o) => o.logLoss);
    const range = Math.max(...logs) - Math.min(...logs);
    const neighbours = [used[b - 1], used[b + 1]].filter((o) => o !== undefined);
    const slopes = neighbours.map((o) => (o.logLoss - best.logLoss) / Math.abs(Math.log2(o.value / best.value)));
    const perDoubling = ax.logAxis ? slopes.reduce((s, x) => s + x, 0) / slopes.length : NaN;
    const score = ax.logAxis ? perDoubling / FULL_SENSITIVITY_PER_DOUBLING : range / FULL_RANGE_DECADES;
    const atEdge = b === 0 || b === used.length - 1;
    const diverged = ax.points.length - used.length;
    const sensitivity = ax.logAxis
      ? `the loss worsens by ${fmt(perDoubling)} decades per doubling or halving next to it`
      : `the loss spans ${fmt(range)} decades across the axis`;
    return [makeFinding(this, {
      runIds: viewRunIds(view),
      score: clamp01(score),
      interval: null,
      coordinate: { path: view.path, value: best.value },
      evidence: evidence({
        ...lossProfile(ax),
        bestValue: best.value, bestTestLoss: lossOf(best), bestTestAccuracy: best.accuracy,
        decadesPerDoubling: perDoubling, rangeDecades: range,
        atEdge: atEdge ? 1 : 0, unusablePoints: diverged,
      }),
      explanation:
        `Along ${view.path}, the lowest final test loss is ${fmt(lossOf(best))} at ${fmt(best.value)}` +
        `${atEdge ? " (at the edge of the sweep: the optimum may lie beyond)" : ""}; ${sensitivity}` +
        `${diverged > 0 ? `; ${diverged} point${diverged > 1 ? "s" : ""} left out (diverged or no test loss)` : ""}.`,
    })];
  },
};
