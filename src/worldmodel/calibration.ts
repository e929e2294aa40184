// Calibration of the world model's intervals on held-out runs: per metric, the
// factor on the predictive std that makes the 80% intervals cover 80% of the
// held-out points. Three sets: config-only queries, queries with an observed
// prefix (whose errors are much smaller), and config-only queries of a family
// without training runs, fitted on the held-out runs predicted with their family
// hidden (novel-family.ts). Factors are stored as calibration[set * M + metric].

import { fnv1a } from "./encode.js";
import { contentKeys } from "./content-keys.js";
import { CURVE_METRICS, CURVE_POINTS, type Example, type Prediction, type Query } from "./types.js";

/** interval factor sets: config-only, with a prefix, config-only of a novel family */
export const CALIBRATION_SETS = 3;
const Z80 = 1.2815515655446004;

export type PredictFn = (queries: readonly Query[], opts?: { hideFamily?: boolean }) => Prediction[];

/**
 * Factors (CALIBRATION_SETS x metrics) from uncalibrated predictions of `valid`,
 * and the coverage each reaches there (keys "test_loss", "prefix:test_loss", ...).
 * A metric with fewer than 10 held-out points keeps factor 1.
 */
export function fitCalibration(valid: readonly Example[], seed: number, predict: PredictFn): { factors: Float64Array; coverage: Record<string, number> } {
  const M = CURVE_METRICS.length;
  const configOnly: Query[] = valid.map((e) => ({ config: e.config }));
  // each run with an observed prefix up to a seeded point (drawn from its content key, not its random id)
  const keys = contentKeys(valid);
  const withPrefix: Query[] = valid.map((e) => {
    const cutoff = fnv1a(`${keys.get(e)!}:${seed}:cut`) % (CURVE_POINTS - 1);
    return { config: e.config, observed: { upToFraction: 10 ** (-2 + (2 * cutoff) / (CURVE_POINTS - 1)), curves: e.curves } };
  });
  const sets: Array<[string, Prediction[]]> = [
    ["", predict(configOnly)],
    ["prefix:", predict(withPrefix)],
    ["novel-family:", predict(configOnly, { hideFamily: true })],
  ];
  const factors = new Float64Array(CALIBRATION_SETS * M).fill(1);
  const coverage: Record<string, number> = {};
  sets.forEach(([label, preds], set) => {
    CURVE_METRICS.forEach((m, mi) => {
      const z: number[] = [];
      preds.forEach((p, i) => {
        const y = valid[i]!.curves[m];
        const c = p.curves[m];
        for (let k = 0; k < CURVE_POINTS; k++) if (Number.isFinite(y[k]!)) z.push(Math.abs(y[k]! - c.mean[k]!) / c.std[k]!);
      });
      if (z.length < 10) return;
      z.sort((a, b) => a - b);
      const factor = Math.max(0.2, Math.min(20, z[Math.floor(0.8 * (z.length - 1))]! / Z80));
      factors[set * M + mi] = factor;
      coverage[label + m] = z.filter((v) => v <= factor * Z80).length / z.length;
    });
  });
  return { factors, coverage };
}
