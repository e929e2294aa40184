// Baseline "power-law": learning-curve extrapolation. Given the observed first part
// of a run, each log10-loss curve prefix is fitted with y(t) = a + b * t^-c over the
// step t (c on a log grid, a and b by least squares for each c, the best fit
// kept) and extended to the end of the run; accuracies hold their last observed
// value. The std grows with how far past the prefix a point lies: the fit's
// residual std plus EXTRAPOLATION_STD per decade of steps. Without a prefix (or
// with fewer than MIN_FIT_POINTS observed points) it is the family-mean baseline.

import { CURVE_FRACTIONS, CURVE_METRICS, CURVE_POINTS, type Example, type Prediction, type Predictor, type Query } from "../types.js";
import { STD_FLOOR, withObserved } from "./aggregate.js";
import { FamilyMeanPredictor } from "./family-mean.js";

export const MIN_FIT_POINTS = 3;
/** Added std (log10 loss or accuracy) per decade of steps beyond the last observed point. */
export const EXTRAPOLATION_STD = 0.1;
/** Exponents tried: 0.01 .. 3, log-spaced. */
const EXPONENTS = Array.from({ length: 40 }, (_, i) => 10 ** (-2 + (Math.log10(300) * i) / 39));

export interface PowerLawFit { a: number; b: number; c: number; residualStd: number }

/** Least-squares fit of y = a + b * t^-c to points (t > 0); null with fewer than 2 points. */
export function fitPowerLaw(t: readonly number[], y: readonly number[]): PowerLawFit | null {
  const n = t.length;
  if (n < 2) return null;
  let best: PowerLawFit | null = null;
  let bestSse = Infinity;
  for (const c of EXPONENTS) {
    const x = t.map((v) => v ** -c);
    const mx = x.reduce((s, v) => s + v, 0) / n, my = y.reduce((s, v) => s + v, 0) / n;
    let sxy = 0, sxx = 0;
    for (let i = 0; i < n; i++) {
      sxy += (x[i]! - mx) * (y[i]! - my);
      sxx += (x[i]! - mx) ** 2;
    }
    const b = sxx > 1e-300 ? sxy / sxx : 0;
    const a = my - b * mx;
    let sse = 0;
    for (let i = 0; i < n; i++) sse += (y[i]! - a - b * x[i]!) ** 2;
    if (sse < bestSse) {
      bestSse = sse;
      best = { a, b, c, residualStd: Math.sqrt(sse / n) };
    }
  }
  return best;
}

const stepsOf = (config: unknown): number => {
  const s = (config as { train?: { steps?: unknown } } | null)?.train?.steps;
  return typeof s === "number" && s > 0 ? s : 1000;
};

export class PowerLawPredictor implements Predictor {
  readonly name = "power-law";
  private readonly fallback = new FamilyMeanPredictor();

  async fit(train: Example[]): Promise<void> {
    await this.fallback.fit(train);
  }

  /** Extends each observed curve of the query; unobserved metrics keep the family mean. */
  private extrapolate(p: Prediction, q: Query): void {
    const obs = q.observed!;
    const steps = stepsOf(q.config);
    const stepAt = (k: number) => Math.max(1, CURVE_FRACTIONS[k]! * steps);
    for (const m of CURVE_METRICS) {
      const seen = obs.curves[m];
      if (!seen) continue;
      const ks: number[] = [];
      for (let k = 0; k < CURVE_POINTS; k++) if (Number.isFinite(seen[k]!)) ks.push(k);
      if (ks.length < MIN_FIT_POINTS) continue;
      const last = ks[ks.length - 1]!;
      const isLoss = m.endsWith("_loss");
      const fit = isLoss ? fitPowerLaw(ks.map(stepAt), ks.map((k) => seen[k]!)) : null;
      for (let k = last + 1; k < CURVE_POINTS; k++) {
        const decades = Math.log10(stepAt(k) / stepAt(last));
        p.curves[m].mean[k] = fit ? fit.a + fit.b * stepAt(k) ** -fit.c : seen[last]!;
        p.curves[m].std[k] = Math.max(STD_FLOOR, (fit?.residualStd ?? 0) + EXTRAPOLATION_STD * decades);
      }
    }
  }

  async predict(queries: Query[]): Promise<Prediction[]> {
    return queries.map((q) => {
      const p = this.fallback.predictConfig(q.config);
      if (q.observed) this.extrapolate(p, q);
      return withObserved(p, q);
    });
  }
}
