// What the baselines share: a prediction made by pooling a set of training
// examples (a family, a neighbourhood), point by point: the weighted mean of the
// finite values, the weighted spread as the standard deviation (with a floor, so
// an interval is never empty), and event probabilities as smoothed rates. Also
// copying an observed prefix into a prediction (the observed points are known).

import { CURVE_METRICS, CURVE_POINTS, EVENT_KINDS, type CurveMetric, type EventKind, type Example, type Prediction, type Query } from "../types.js";

/** Smallest predictive std: log10 loss (about 2.3%) or accuracy points. */
export const STD_FLOOR = 0.01;

export interface Pooled {
  prediction: Prediction;
  /** finite values seen per metric and point (0: the pool says nothing there) */
  counts: Record<CurveMetric, Int32Array>;
}

/**
 * Pools examples with weights. Event probabilities are (sum w*y + prior) / (sum w + 1)
 * with `priorRates` (default 0.5), so a small pool is pulled toward the prior.
 */
export function pool(examples: readonly Example[], weights?: readonly number[], priorRates?: Record<EventKind, number>): Pooled {
  const curves = {} as Prediction["curves"];
  const counts = {} as Record<CurveMetric, Int32Array>;
  for (const m of CURVE_METRICS) {
    const mean = new Float64Array(CURVE_POINTS).fill(NaN), std = new Float64Array(CURVE_POINTS).fill(NaN);
    const n = new Int32Array(CURVE_POINTS);
    for (let k = 0; k < CURVE_POINTS; k++) {
      let sw = 0, s = 0, ss = 0;
      examples.forEach((e, i) => {
        const v = e.curves[m][k]!;
        if (!Number.isFinite(v)) return;
        const w = weights?.[i] ?? 1;
        sw += w;
        s += w * v;
        ss += w * v * v;
        n[k]!++;
      });
      if (sw > 0) {
        mean[k] = s / sw;
        std[k] = Math.max(STD_FLOOR, Math.sqrt(Math.max(0, ss / sw - (s / sw) ** 2)));
      }
    }
    curves[m] = { mean, std };
    counts[m] = n;
  }
  const events = {} as Record<EventKind, number>;
  const totalW = examples.reduce((t, _e, i) => t + (weights?.[i] ?? 1), 0);
  for (const kind of EVENT_KINDS) {
    const hits = examples.reduce((t, e, i) => t + (weights?.[i] ?? 1) * e.events[kind], 0);
    events[kind] = (hits + (priorRates?.[kind] ?? 0.5)) / (totalW + 1);
  }
  return { prediction: { curves, events }, counts };
}

/** Fills the points a pool left undefined (NaN) from a fallback prediction, in place. */
export function fillFrom(target: Prediction, fallback: Prediction): Prediction {
  for (const m of CURVE_METRICS) {
    const t = target.curves[m], f = fallback.curves[m];
    for (let k = 0; k < CURVE_POINTS; k++) {
      if (!Number.isFinite(t.mean[k]!)) {
        t.mean[k] = f.mean[k]!;
        t.std[k] = f.std[k]!;
      }
    }
  }
  return target;
}

/** Overwrites the observed points of a query's prefix with what was observed (std at the floor), in place. */
export function withObserved(p: Prediction, query: Query): Prediction {
  const obs = query.observed;
  if (!obs) return p;
  for (const m of CURVE_METRICS) {
    const seen = obs.curves[m];
    if (!seen) continue;
    for (let k = 0; k < CURVE_POINTS; k++) {
      if (Number.isFinite(seen[k]!)) {
        p.curves[m].mean[k] = seen[k]!;
        p.curves[m].std[k] = STD_FLOOR;
      }
    }
  }
  return p;
}

/** A deep copy (baselines hand out fresh arrays per query). */
export function clonePrediction(p: Prediction): Prediction {
  const curves = {} as Prediction["curves"];
  for (const m of CURVE_METRICS) curves[m] = { mean: Float64Array.from(p.curves[m].mean), std: Float64Array.from(p.curves[m].std) };
  return { curves, events: { ...p.events }, support: p.support ? { ...p.support } : p.support };
}

/** Event rates of a set of examples (plain fractions; 0 for an empty set). */
export function eventRates(examples: readonly Example[]): Record<EventKind, number> {
  const out = {} as Record<EventKind, number>;
  for (const kind of EVENT_KINDS) out[kind] = examples.length ? examples.reduce((t, e) => t + e.events[kind], 0) / examples.length : 0;
  return out;
}
