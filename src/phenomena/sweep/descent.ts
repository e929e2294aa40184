// The double-descent shape shared by model-wise and sample-wise double descent
// (and consulted by non-monotonic, which leaves it to them): along a size axis,
// the final test loss has an interior peak that stands at least MIN_PEAK_DECADES
// (1.5x) above the lowest point on each side, beyond the spread across repeats.
// The size axes are the model's (width, dim, depth, out, paramCount) and the
// train set's (task.trainSize, task.trainFraction).

import type { AxisKind } from "./view.js";
import { extrema, type AxisOutcomes, type Extremum } from "./shape.js";

/** the peak stands at least 1.5x above the lowest loss on each side */
export const MIN_PEAK_DECADES = Math.log10(1.5);
/** a peak one decade (10x) above both sides scores 1 */
export const FULL_PEAK_DECADES = 1;

/** The most prominent double-descent peak along a size axis of the given kind, or null. */
export function doubleDescentPeak(ax: AxisOutcomes, kind: AxisKind): Extremum | null {
  if (ax.view.axis !== kind) return null;
  return extrema(ax, "peak", MIN_PEAK_DECADES)[0] ?? null;
}
