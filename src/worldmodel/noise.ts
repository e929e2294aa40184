// Seed noise of the stored runs: runs whose configs are identical except for
// their seeds (the dataset's replicates, `run --repeats`, sweeps with repeats)
// show how much of a run's outcome no config-based predictor can know. The
// evaluation reports it beside the predictors: how far apart two seeds' final
// losses lie, and how well one seed's final losses rank the other's. If two seeds
// of the same configs rank each other with Spearman rho, a perfect predictor of
// the expected outcome ranks single runs with about sqrt(rho) (the noise enters
// once instead of twice), the ceiling quoted as `ceilingSpearman*`. Sweeps run
// under two seeds do the same for the signs of intervention effects (sign-noise.ts).

import { CURVE_POINTS, type Example } from "./types.js";
import { seedlessKey } from "./pairs.js";
import { signNoise, type SignNoise } from "./sign-noise.js";
import { meanAbsoluteError, spearman } from "./metrics.js";
import { groupBy } from "./group-by.js";
import { canonicalOrder } from "./content-keys.js";
import { medianOverFamilies, spearmanByFamily } from "./family-scores.js";
import type { MetricValue } from "./evaluate.js";

/** Families need at least this many replicated configs for a within-family value. */
export const MIN_FAMILY_REPLICATES = 5;
const LAST = CURVE_POINTS - 1;

export interface NoiseReference {
  /** configs with at least two finished, non-fork runs that differ only in seeds */
  configs: number;
  /** mean |difference| of final log10 test loss between two seeds (first two runs of each config) */
  maeFinal: number;
  /** mean |difference| of log10 train and test loss at every curve point */
  maeCurve: number;
  /** Spearman of one seed's final log10 test loss against the other's, pooled */
  spearmanFinal: number;
  /** the same within each family with >= MIN_FAMILY_REPLICATES configs, median */
  spearmanFinalFamily: number;
  families: number;
  /** per family with >= MIN_FAMILY_REPLICATES configs: one seed against the other (n = configs) */
  familySpearman: Record<string, MetricValue>;
  /** sqrt of the above: about the best Spearman a predictor of the expected outcome reaches on single runs */
  ceilingSpearmanFinal: number;
  ceilingSpearmanFinalFamily: number;
  /** sweeps run under two seeds: how often one seed gives the other's intervention effects their sign (sign-noise.ts) */
  sign: SignNoise;
}

/** Groups of examples (not forks) that differ only in seeds, each of at least two runs. */
export function replicateGroups(examples: readonly Example[]): Example[][] {
  const byKey = groupBy(examples, (e) => (e.fork ? null : seedlessKey(e.config)));
  return [...byKey.values()].filter((g) => g.length >= 2).map((g) => canonicalOrder(g));
}

/** How much two seeds of one config disagree (NaN where there are too few replicated configs). */
export function noiseReference(examples: readonly Example[]): NoiseReference {
  const pairs = replicateGroups(examples).map((g) => [g[0]!, g[1]!] as const);
  const finite = pairs.filter(([a, b]) => Number.isFinite(a.curves.test_loss[LAST]!) && Number.isFinite(b.curves.test_loss[LAST]!));
  const first = finite.map(([a]) => a.curves.test_loss[LAST]!), second = finite.map(([, b]) => b.curves.test_loss[LAST]!);
  const curveA: number[] = [], curveB: number[] = [];
  for (const [a, b] of pairs) {
    for (const m of ["train_loss", "test_loss"] as const) {
      for (let k = 0; k < CURVE_POINTS; k++) {
        const x = a.curves[m][k]!, y = b.curves[m][k]!;
        if (Number.isFinite(x) && Number.isFinite(y)) {
          curveA.push(x);
          curveB.push(y);
        }
      }
    }
  }
  const familySpearman = spearmanByFamily(finite.map(([a]) => a.family), first, second, MIN_FAMILY_REPLICATES);
  const familyMedian = medianOverFamilies(familySpearman);
  const pooled = finite.length >= MIN_FAMILY_REPLICATES ? spearman(first, second) : NaN;
  const family = familyMedian.value;
  const ceiling = (rho: number) => (Number.isFinite(rho) ? Math.sqrt(Math.max(0, rho)) : NaN);
  return {
    configs: pairs.length,
    maeFinal: finite.length > 0 ? meanAbsoluteError(first, second) : NaN,
    maeCurve: curveA.length > 0 ? meanAbsoluteError(curveA, curveB) : NaN,
    spearmanFinal: pooled,
    spearmanFinalFamily: family,
    families: familyMedian.n,
    familySpearman,
    ceilingSpearmanFinal: ceiling(pooled),
    ceilingSpearmanFinalFamily: ceiling(family),
    sign: signNoise(examples),
  };
}
