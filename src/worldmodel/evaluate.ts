// The evaluation harness: for each split, fits every predictor on the train side,
// predicts the test side (from the config alone, and again given the first 30% of
// each curve) and scores every metric of EVAL_METRICS, marking per metric which
// predictor wins. Rules (also in the report's text):
//   which runs       the config-only and own-prefix metrics (every metric but the
//                    two fork ones) score the test runs trained from their config
//                    from step 0; a fork trained under its parent's config up to
//                    the fork step, so its config alone does not say what it did
//                    (a fork setting lr x0.1 at 30% is no run at lr x0.1): it is
//                    scored by the fork metrics, given its parent's curve;
//   final test loss  log10 test loss at the last curve point; runs where it is not
//                    finite (diverged) are left out of Spearman and R^2;
//   within-family    Spearman per family with >= MIN_FAMILY_TEST finite runs, median;
//   intervention     pairs of test runs of one sweep whose configs differ in exactly
//   pairs            one path (task.difficulty counts as one path with the family
//                    parameters it sets); pairs with |actual delta| < SIGN_NOISE
//                    (log10 units) are ignored as noise; a predicted delta of 0
//                    scores one half (a coin flip);
//   coverage         fraction of actual points (all metrics, all points) inside
//                    mean +- 1.2816 std; the winner is the closest to 0.8;
//   seed noise       runs identical but for their seeds (noise.ts) give the floor:
//                    how well one seed's final loss ranks the other's;
//   forks            test runs forked from a stored parent are predicted from their
//                    (changed) config plus the parent's curves up to the fork step
//                    ("state + action -> next state"); MAE of log10 losses after it;
//                    the sign of the fork's effect (its final test loss minus its
//                    parent's, predicted for the parent from the same prefix) is
//                    scored as for intervention pairs.
//   several seeds    each split is drawn once per split seed and every predictor
//                    refitted (the scale split, a fixed cut, only once); a
//                    metric is the mean of its finite values over the seeds
//                    (the per-seed values are kept), and the winners are judged
//                    on the means. One seed's test side is a few whole sweeps
//                    per family, so single-seed values move by a few hundredths
//                    from one draw to the next;
//   train fraction   optionally each train side is thinned to a seeded fraction
//                    of its groups of related runs, against the same test side:
//                    the learning curve of a predictor in runs.

import { CURVE_FRACTIONS, CURVE_METRICS, CURVE_POINTS, type CurveMetric, type Example, type Prediction, type Predictor, type Query } from "./types.js";
import { forkObserved } from "./examples.js";
import { intervalCoverage, mean, meanAbsoluteError, rocAuc, rSquared, spearman } from "./metrics.js";
import { makeSplit, SEEDED_SPLITS, SPLIT_KINDS, thinTrainSide, type SplitKind } from "./splits.js";
import { knobPairs, signAccuracy, signAccuracyByKnob, type KnobPair } from "./pairs.js";
import { noiseReference, type NoiseReference } from "./noise.js";
import { medianOverFamilies, spearmanByFamily } from "./family-scores.js";

export const EVAL_METRICS = [
  "spearman_final", "spearman_final_family", "r2_final", "mae_curve", "sign_accuracy",
  "auc_divergence", "auc_grokking", "coverage80", "extrapolation_mae", "fork_mae", "fork_sign_accuracy",
] as const;
export type EvalMetric = (typeof EVAL_METRICS)[number];

export const METRIC_INFO: { readonly [K in EvalMetric]: { better: "higher" | "lower" | "near-0.8"; description: string } } = {
  spearman_final: { better: "higher", description: "Spearman of predicted vs actual final log10 test loss, pooled" },
  spearman_final_family: { better: "higher", description: "median over families of the within-family Spearman of final test loss" },
  r2_final: { better: "higher", description: "R^2 of final log10 test loss" },
  mae_curve: { better: "lower", description: "MAE of log10 train and test loss at every curve point" },
  sign_accuracy: { better: "higher", description: "accuracy of the sign of intervention effects on final test loss" },
  auc_divergence: { better: "higher", description: "ROC AUC of P(diverged)" },
  auc_grokking: { better: "higher", description: "ROC AUC of P(grokking)" },
  coverage80: { better: "near-0.8", description: "fraction of actual points inside the 80% interval" },
  extrapolation_mae: { better: "lower", description: "MAE of log10 losses after 30% of the run, given the first 30%" },
  fork_mae: { better: "lower", description: "MAE of log10 losses of forks after the fork step, given the parent's curves up to it" },
  fork_sign_accuracy: { better: "higher", description: "accuracy of the sign of a fork's effect on final test loss against its parent, both given the parent's curves up to the fork" },
};

export const MIN_FAMILY_TEST = 5;
export { SIGN_NOISE } from "./pairs.js";
export const PREFIX_FRACTION = 0.3;
const LOSSES: CurveMetric[] = ["train_loss", "test_loss"];
const LAST = CURVE_POINTS - 1;

export interface MetricValue {
  value: number;
  n: number;
  /** per split seed, when the report averages several (value is the mean of the finite ones, n the mean count) */
  values?: number[];
}
export interface PredictorResult {
  predictor: string;
  fitSeconds: number;
  metrics: Record<EvalMetric, MetricValue>;
  /** family -> Spearman of final test loss within it (the values behind spearman_final_family) */
  families: Record<string, MetricValue>;
  /** knob turned -> sign accuracy of its intervention pairs (the values behind sign_accuracy) */
  knobs: Record<string, MetricValue>;
}
export interface SplitReport {
  split: SplitKind;
  /** the split seeds whose draws this report averages (one for a split that ignores its seed) */
  seeds: number[];
  description: string;
  nTrain: number;
  nTest: number;
  /** of the test runs, forks: scored by the fork metrics only */
  nForks: number;
  results: PredictorResult[];
  /** per metric, the predictors with the best value (ties all listed; empty if none is defined) */
  winners: Record<EvalMetric, string[]>;
}
export interface EvaluationReport {
  /** the first split seed */
  seed: number;
  /** every split seed the metrics are averaged over */
  seeds: number[];
  examples: number;
  /** the fraction of each train side fitted on (1 unless thinned: a learning-curve point) */
  trainFraction: number;
  splits: SplitReport[];
  /** how much two seeds of one config disagree: the floor under every predictor's errors */
  noise: NoiseReference;
}

/** The query with the first `fraction` of every curve observed. */
export function prefixQuery(e: Example, fraction = PREFIX_FRACTION): Query {
  const curves = {} as Record<CurveMetric, Float64Array>;
  for (const m of CURVE_METRICS) curves[m] = e.curves[m].map((v, k) => (CURVE_FRACTIONS[k]! <= fraction ? v : NaN));
  return { config: e.config, observed: { upToFraction: fraction, curves } };
}

/** A test fork with its parent's curves up to the fork step as the observed prefix. */
export interface ForkCase {
  example: Example;
  query: Query;
  parent: Example;
  /** the parent continuing without the intervention, from the same observed prefix (on its own grid) */
  parentQuery: Query;
}

/** The test runs that are forks of a parent present in `all`, as prefix queries. */
export function forkCases(test: readonly Example[], all: readonly Example[]): ForkCase[] {
  const byRun = new Map(all.map((e) => [e.runId, e]));
  const out: ForkCase[] = [];
  for (const e of test) {
    const parent = e.fork ? byRun.get(e.fork.parentRunId) : undefined;
    if (!e.fork || !parent) continue;
    out.push({
      example: e, query: { config: e.config, observed: forkObserved(parent, e.fork.forkStep, e.steps) },
      parent, parentQuery: { config: parent.config, observed: forkObserved(parent, e.fork.forkStep, parent.steps) },
    });
  }
  return out;
}

/** MAE of log10 losses at the points after each fork's observed prefix. */
function forkError(cases: readonly ForkCase[], preds: readonly Prediction[]): MetricValue {
  const y: number[] = [], m: number[] = [];
  cases.forEach((c, i) => {
    const from = c.query.observed!.upToFraction;
    for (const metric of LOSSES) {
      for (let k = 0; k < CURVE_POINTS; k++) {
        const v = c.example.curves[metric][k]!;
        if (CURVE_FRACTIONS[k]! <= from || !Number.isFinite(v)) continue;
        y.push(v);
        m.push(preds[i]!.curves[metric].mean[k]!);
      }
    }
  });
  return { value: meanAbsoluteError(y, m), n: y.length };
}

/** Every metric of one predictor's predictions (from configs, given prefixes, and of forks given their parents) on a test set. */
export function scorePredictions(
  test: readonly Example[], preds: readonly Prediction[], prefixPreds: readonly Prediction[],
  forks: { cases: readonly ForkCase[]; preds: readonly Prediction[]; parentPreds: readonly Prediction[] } = { cases: [], preds: [], parentPreds: [] },
  pairs: readonly KnobPair[] = knobPairs(test),
): Record<EvalMetric, MetricValue> {
  const actual = test.map((e) => e.curves.test_loss[LAST]!);
  const predicted = preds.map((p) => p.curves.test_loss.mean[LAST]!);
  const finiteN = actual.filter(Number.isFinite).length;

  const familyMedian = medianOverFamilies(familySpearmans(test, preds));

  const flat = (from: readonly Prediction[], metrics: readonly CurveMetric[], keep: (k: number) => boolean) => {
    const y: number[] = [], m: number[] = [], s: number[] = [];
    test.forEach((e, i) => {
      for (const metric of metrics) {
        for (let k = 0; k < CURVE_POINTS; k++) {
          if (!keep(k) || !Number.isFinite(e.curves[metric][k]!)) continue;
          y.push(e.curves[metric][k]!);
          m.push(from[i]!.curves[metric].mean[k]!);
          s.push(from[i]!.curves[metric].std[k]!);
        }
      }
    });
    return { y, m, s };
  };
  const curve = flat(preds, LOSSES, () => true);
  const all = flat(preds, CURVE_METRICS, () => true);
  const extra = flat(prefixPreds, LOSSES, (k) => CURVE_FRACTIONS[k]! > PREFIX_FRACTION);

  const sweepDeltas = pairs.map(({ i, j }) => ({ actual: actual[j]! - actual[i]!, predicted: predicted[j]! - predicted[i]! }));
  const forkDeltas = forks.cases.map((c, i) => ({
    actual: c.example.curves.test_loss[LAST]! - c.parent.curves.test_loss[LAST]!,
    predicted: forks.preds[i]!.curves.test_loss.mean[LAST]! - forks.parentPreds[i]!.curves.test_loss.mean[LAST]!,
  }));

  const auc = (kind: "diverged" | "grokking") => {
    const labels = test.map((e) => e.events[kind]);
    return { value: rocAuc(labels, preds.map((p) => p.events[kind])), n: test.length };
  };
  return {
    spearman_final: { value: spearman(actual, predicted), n: finiteN },
    spearman_final_family: familyMedian,
    r2_final: { value: rSquared(actual, predicted), n: finiteN },
    mae_curve: { value: meanAbsoluteError(curve.y, curve.m), n: curve.y.length },
    sign_accuracy: signAccuracy(sweepDeltas),
    auc_divergence: auc("diverged"),
    auc_grokking: auc("grokking"),
    coverage80: { value: intervalCoverage(all.y, all.m, all.s), n: all.y.length },
    extrapolation_mae: { value: meanAbsoluteError(extra.y, extra.m), n: extra.y.length },
    fork_mae: forkError(forks.cases, forks.preds),
    fork_sign_accuracy: signAccuracy(forkDeltas),
  };
}

/** Per family, Spearman of predicted vs actual final log10 test loss (families with >= MIN_FAMILY_TEST finite runs). */
export function familySpearmans(test: readonly Example[], preds: readonly Prediction[]): Record<string, MetricValue> {
  return spearmanByFamily(test.map((e) => e.family), test.map((e) => e.curves.test_loss[LAST]!), preds.map((p) => p.curves.test_loss.mean[LAST]!), MIN_FAMILY_TEST);
}

/** The predictors with the best finite value of a metric. */
export function winnersOf(results: readonly PredictorResult[], metric: EvalMetric): string[] {
  const better = METRIC_INFO[metric].better;
  const score = (v: number) => (better === "higher" ? v : better === "lower" ? -v : -Math.abs(v - 0.8));
  const finite = results.filter((r) => Number.isFinite(r.metrics[metric].value));
  if (finite.length === 0) return [];
  const best = Math.max(...finite.map((r) => score(r.metrics[metric].value)));
  return finite.filter((r) => score(r.metrics[metric].value) === best).map((r) => r.predictor);
}

export interface EvaluateOptions {
  splits?: readonly SplitKind[];
  seed?: number;
  /** several split seeds to average over (overrides seed) */
  seeds?: readonly number[];
  /** fit on this seeded fraction of each train side, by group (1: all of it; thinTrainSide) */
  trainFraction?: number;
  onProgress?(message: string): void;
}

/** Fits each predictor on each split's train side (once per split seed) and scores it on the test side. */
export async function evaluatePredictors(examples: readonly Example[], predictors: readonly Predictor[], opts: EvaluateOptions = {}): Promise<EvaluationReport> {
  const seeds = opts.seeds && opts.seeds.length > 0 ? [...opts.seeds] : [opts.seed ?? 0];
  const splits: SplitReport[] = [];
  for (const kind of opts.splits ?? SPLIT_KINDS) {
    const perSeed: SplitReport[] = [];
    const kindSeeds = SEEDED_SPLITS[kind] ? seeds : seeds.slice(0, 1);
    for (const seed of kindSeeds) perSeed.push(await evaluateSplit(kind, seed, kindSeeds.length > 1, examples, predictors, opts));
    splits.push(perSeed.length === 1 ? perSeed[0]! : averageSplitReports(perSeed));
  }
  return { seed: seeds[0]!, seeds, examples: examples.length, trainFraction: opts.trainFraction ?? 1, splits, noise: noiseReference(examples) };
}

async function evaluateSplit(
  kind: SplitKind, seed: number, sayingSeed: boolean, examples: readonly Example[], predictors: readonly Predictor[], opts: EvaluateOptions,
): Promise<SplitReport> {
  const split = thinTrainSide(makeSplit(kind, examples, seed), opts.trainFraction ?? 1, seed);
  const onProgress = opts.onProgress;
  const results: PredictorResult[] = [];
  const forks = forkCases(split.test, examples);
  const fresh = freshRuns(split.test);
  const pairs = knobPairs(fresh);
  for (const p of predictors) {
    onProgress?.(`${kind}${sayingSeed ? ` (seed ${seed})` : ""}: fitting ${p.name} on ${split.train.length} runs`);
    const t0 = performance.now();
    await p.fit(split.train);
    const fitSeconds = (performance.now() - t0) / 1000;
    const preds = await p.predict(fresh.map((e) => ({ config: e.config })));
    const prefixPreds = await p.predict(fresh.map((e) => prefixQuery(e)));
    const forkPreds = await p.predict(forks.map((c) => c.query));
    const parentPreds = await p.predict(forks.map((c) => c.parentQuery));
    const metrics = scorePredictions(fresh, preds, prefixPreds, { cases: forks, preds: forkPreds, parentPreds }, pairs);
    const knobs = signAccuracyByKnob(fresh, preds.map((q) => q.curves.test_loss.mean[LAST]!), pairs);
    results.push({ predictor: p.name, fitSeconds, metrics, families: familySpearmans(fresh, preds), knobs });
  }
  return {
    split: kind, seeds: [seed], description: split.description, nTrain: split.train.length, nTest: split.test.length, nForks: split.test.length - fresh.length,
    results, winners: winnersAll(results),
  };
}

/** The runs trained from their own config from step 0 (not forks): the ones a config-only question is about. */
export function freshRuns(test: readonly Example[]): Example[] {
  return test.filter((e) => !e.fork);
}

const winnersAll = (results: readonly PredictorResult[]) => Object.fromEntries(EVAL_METRICS.map((m) => [m, winnersOf(results, m)])) as Record<EvalMetric, string[]>;

/** One metric over seeds: the mean of the finite values, the mean count, the values. */
function averageValues(perSeed: readonly MetricValue[]): MetricValue {
  const values = perSeed.map((v) => v.value);
  return { value: mean(values), n: Math.round(mean(perSeed.map((v) => v.n))), values };
}

/** Values by name (family, knob) over seeds: a name without a value under one seed (too few test runs) counts as NaN there. */
function averageByName(perSeed: readonly Record<string, MetricValue>[]): Record<string, MetricValue> {
  const names = [...new Set(perSeed.flatMap((x) => Object.keys(x)))].sort();
  return Object.fromEntries(names.map((name) => [name, averageValues(perSeed.map((x) => x[name] ?? { value: NaN, n: 0 }))]));
}

/**
 * One split's reports under several seeds (same predictors, same order) as one:
 * each metric the mean of its finite per-seed values, with the values kept; the
 * winners judged on the means. Descriptions that differ (the family split holds
 * out other families under another seed) are all listed.
 */
export function averageSplitReports(reports: readonly SplitReport[]): SplitReport {
  const first = reports[0]!;
  const results = first.results.map((r, i): PredictorResult => {
    const all = reports.map((s) => s.results[i]!);
    if (all.some((x) => x.predictor !== r.predictor)) throw new Error("evaluate: reports of different predictors cannot be averaged");
    const metrics = Object.fromEntries(EVAL_METRICS.map((m) => [m, averageValues(all.map((x) => x.metrics[m]))])) as Record<EvalMetric, MetricValue>;
    return {
      predictor: r.predictor, fitSeconds: mean(all.map((x) => x.fitSeconds)), metrics,
      families: averageByName(all.map((x) => x.families)), knobs: averageByName(all.map((x) => x.knobs)),
    };
  });
  return {
    split: first.split,
    seeds: reports.flatMap((s) => s.seeds),
    description: [...new Set(reports.map((s) => s.description))].join(" | "),
    nTrain: Math.round(mean(reports.map((s) => s.nTrain))),
    nTest: Math.round(mean(reports.map((s) => s.nTest))),
    nForks: Math.round(mean(reports.map((s) => s.nForks))),
    results,
    winners: winnersAll(results),
  };
}
