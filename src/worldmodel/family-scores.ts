// Spearman of predicted vs actual final loss within each task family. The
// evaluation's headline is the median over families (pooled rank correlation is
// flattered by the gaps between families); the per-family values show where a
// predictor understands the dynamics and where it does not, and the same
// function gives the seed-noise reference per family (one seed against another).

import type { MetricValue } from "./evaluate.js";
import { groupIndices } from "./group-by.js";
import { median, spearman } from "./metrics.js";

/**
 * family -> Spearman of x against y over that family's pairs where both are
 * finite (n = how many), for families with at least `minRuns` of them.
 */
export function spearmanByFamily(families: readonly string[], x: readonly number[], y: readonly number[], minRuns: number): Record<string, MetricValue> {
  const byFamily = groupIndices(families, (f, i) => (Number.isFinite(x[i]!) && Number.isFinite(y[i]!) ? f : null));
  const out: Record<string, MetricValue> = {};
  for (const family of [...byFamily.keys()].sort()) {
    const ix = byFamily.get(family)!;
    if (ix.length >= minRuns) out[family] = { value: spearman(ix.map((i) => x[i]!), ix.map((i) => y[i]!)), n: ix.length };
  }
  return out;
}

/** The median of the finite per-family values, and how many there are. */
export function medianOverFamilies(byFamily: Record<string, MetricValue>): MetricValue {
  const values = Object.values(byFamily).map((v) => v.value).filter(Number.isFinite);
  return { value: values.length > 0 ? median(values) : NaN, n: values.length };
}
