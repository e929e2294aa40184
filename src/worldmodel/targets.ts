// Target normalization of the world model: losses (log10) and accuracies are
// centred and scaled per metric over the training runs, so every output of the
// net is of order one; a warm-started version keeps its predecessor's scales.

import { CURVE_METRICS, CURVE_POINTS, type CurveMetric, type Example } from "./types.js";
import { CURVE_OUTPUTS } from "./ensemble.js";

/** Per-metric mean and std of the finite target values. */
export function targetNorms(examples: readonly Example[]): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(CURVE_METRICS.length), std = new Float64Array(CURVE_METRICS.length).fill(1);
  CURVE_METRICS.forEach((m, mi) => {
    let n = 0, s = 0, sq = 0;
    for (const e of examples) for (const v of e.curves[m]) if (Number.isFinite(v)) { n++; s += v; sq += v * v; }
    if (n === 0) return;
    mean[mi] = s / n;
    const sd = Math.sqrt(Math.max(0, sq / n - (s / n) ** 2));
    std[mi] = sd > 1e-6 ? sd : 1;
  });
  return { mean, std };
}

/** Curves as one CURVE_OUTPUTS vector of normalized values (NaN where missing). */
export function normalizeCurves(curves: Partial<Record<CurveMetric, ArrayLike<number>>>, mean: Float64Array, std: Float64Array): Float64Array {
  const out = new Float64Array(CURVE_OUTPUTS).fill(NaN);
  CURVE_METRICS.forEach((m, mi) => {
    const v = curves[m];
    if (v) for (let k = 0; k < CURVE_POINTS; k++) out[mi * CURVE_POINTS + k] = (v[k]! - mean[mi]!) / std[mi]!;
  });
  return out;
}

