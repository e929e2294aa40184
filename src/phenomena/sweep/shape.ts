// Shapes along a sweep axis, shared by the sweep detectors: which points count
// (most runs did not diverge and a test loss is known), whether the axis is
// log-scaled, interior peaks and valleys of the log test loss that stand out of
// both the noise across repeats and a minimum size, and evidence records that
// keep only finite numbers.

import { round } from "../series.js";
import { pointOutcome, type PointOutcome } from "./outcome.js";
import type { SweepView } from "./view.js";

/** an axis of positive values spanning at least this ratio is read on a log scale */
export const LOG_AXIS_MIN_SPAN = 10;
/** a point counts when less than this fraction of its runs diverged */
export const MAX_DIVERGED_FRACTION = 0.5;

export interface AxisOutcomes {
  view: SweepView;
  /** one per point of the view, same order */
  points: PointOutcome[];
  logAxis: boolean;
}

// Every detector reads the same outcomes of a view: computed once per view object
// (views and their runs are treated as immutable, like all detector inputs).
const computed = new WeakMap<SweepView, AxisOutcomes>();

export function axisOutcomes(view: SweepView): AxisOutcomes {
  let ax = computed.get(view);
  if (!ax) {
    const values = view.points.map((p) => p.value);
    ax = { view, points: view.points.map(pointOutcome), logAxis: isLogAxis(values) };
    computed.set(view, ax);
  }
  return ax;
}

/** the point has a loss to compare: most runs did not diverge and a final test loss is known */
export function usable(o: PointOutcome): boolean {
  return o.divergedFraction < MAX_DIVERGED_FRACTION && Number.isFinite(o.logLoss);
}

export function isLogAxis(values: number[]): boolean {
  if (values.length === 0 || values.some((v) => !(v > 0))) return false;
  return Math.max(...values) / Math.min(...values) >= LOG_AXIS_MIN_SPAN;
}

/** halfway between two axis values: geometric on a log axis */
export function midpoint(a: number, b: number, logAxis: boolean): number {
  return logAxis ? Math.sqrt(a * b) : (a + b) / 2;
}

/** A difference in log loss larger than the spread across repeats at either point. */
export function beyondNoise(decades: number, a: PointOutcome, b: PointOutcome): boolean {
  return decades > Math.max(a.logLossSpread, b.logLossSpread);
}

/** An interior peak (or valley) of the log test loss; indices into AxisOutcomes.points. */
export interface Extremum {
  index: number;
  /** the lowest point left of a peak (highest left of a valley) */
  leftIndex: number;
  rightIndex: number;
  /** |log loss difference| from the extremum to the left and right reference points */
  leftDecades: number;
  rightDecades: number;
  /** the smaller of the two */
  prominence: number;
}

/**
 * Interior peaks (`"peak"`) or valleys (`"valley"`) of the usable points: local
 * extrema whose difference to the lowest (highest) point on each side is at
 * least minDecades and beyond the noise, most prominent first.
 */
export function extrema(ax: AxisOutcomes, shape: "peak" | "valley", minDecades: number): Extremum[] {
  const sign = shape === "peak" ? 1 : -1;
  const idx = ax.points.map((o, i) => (usable(o) ? i : -1)).filter((i) => i >= 0);
  const y = (i: number): number => sign * ax.points[i]!.logLoss;
  const out: Extremum[] = [];
  for (let j = 1; j + 1 < idx.length; j++) {
    const k = idx[j]!;
    // a local extremum among the usable points (not the shoulder of a larger one)
    if (y(k) < y(idx[j - 1]!) || y(k) < y(idx[j + 1]!)) continue;
    const lowest = (side: number[]): number => side.reduce((m, i) => (y(i) < y(m) ? i : m));
    const left = lowest(idx.slice(0, j));
    const right = lowest(idx.slice(j + 1));
    const leftDecades = y(k) - y(left);
    const rightDecades = y(k) - y(right);
    const k0 = ax.points[k]!;
    if (leftDecades < minDecades || rightDecades < minDecades) continue;
    if (!beyondNoise(leftDecades, k0, ax.points[left]!) || !beyondNoise(rightDecades, k0, ax.points[right]!)) continue;
    out.push({ index: k, leftIndex: left, rightIndex: right, leftDecades, rightDecades, prominence: Math.min(leftDecades, rightDecades) });
  }
  return out.sort((a, b) => b.prominence - a.prominence);
}

/** the usable points' values and final test losses, for evidence */
export function lossProfile(ax: AxisOutcomes): { values: number[]; testLoss: number[] } {
  const used = ax.points.filter(usable);
  return { values: used.map((o) => round(o.value)), testLoss: used.map((o) => round(10 ** o.logLoss)) };
}

/** evidence with non-finite numbers left out (they would not survive JSON) and numbers rounded */
export function evidence(fields: Record<string, number | number[]>): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (Array.isArray(v)) out[k] = v.map(round);
    else if (Number.isFinite(v)) out[k] = round(v);
  }
  return out;
}

/** test loss of a point as a plain number (the mean log loss back in loss units) */
export function lossOf(o: PointOutcome): number {
  return 10 ** o.logLoss;
}
