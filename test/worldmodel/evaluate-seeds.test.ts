// Evaluation over several split seeds: every metric is the mean of its finite
// per-seed values with the values kept, the winners are judged on the means, and
// the report says which seeds it averages (text and JSON).

import { test } from "node:test";
import assert from "node:assert/strict";
import { averageSplitReports, evaluatePredictors, EVAL_METRICS, type EvalMetric, type MetricValue, type PredictorResult, type SplitReport } from "../../src/worldmodel/evaluate.js";
import { renderReport, reportJson } from "../../src/worldmodel/evaluate-render.js";
import { FamilyMeanPredictor, NearestNeighboursPredictor } from "../../src/worldmodel/baselines/index.js";
import { syntheticExamples } from "./synthetic.js";

/** A result whose every metric is `value` (n 10), except those given. */
function result(
  predictor: string, value: number, fitSeconds: number, given: Partial<Record<EvalMetric, MetricValue>> = {},
  families: Record<string, MetricValue> = {}, knobs: Record<string, MetricValue> = {},
): PredictorResult {
  const metrics = Object.fromEntries(EVAL_METRICS.map((m) => [m, given[m] ?? { value, n: 10 }])) as Record<EvalMetric, MetricValue>;
  return { predictor, fitSeconds, metrics, families, knobs };
}

function report(seed: number, description: string, nTest: number, results: PredictorResult[]): SplitReport {
  return { split: "family", seeds: [seed], description, nTrain: 100 - nTest, nTest, nForks: 0, results, winners: {} as SplitReport["winners"] };
}

test("averaging split reports: means of finite values, per-seed values kept, winners on the means", () => {
  const a = report(0, "held out: dyck", 20, [
    result("ensemble", 0.9, 2, { auc_grokking: { value: NaN, n: 30 } }, { dyck: { value: 0.5, n: 8 } }, { "train.lr": { value: 1, n: 4 } }),
    result("knn", 0.95, 1, { spearman_final: { value: 0.95, n: 11 } }),
  ]);
  const b = report(1, "held out: sequence", 30, [
    result("ensemble", 0.7, 4, { auc_grokking: { value: 0.8, n: 40 } }, { dyck: { value: 0.7, n: 6 }, sequence: { value: 0.9, n: 5 } }, { "train.lr": { value: 0.5, n: 6 }, "train.steps": { value: 0.75, n: 4 } }),
    result("knn", 0.6, 3, { spearman_final: { value: 0.6, n: 12 } }),
  ]);
  const avg = averageSplitReports([a, b]);
  assert.equal(avg.description, "held out: dyck | held out: sequence");
  assert.deepEqual(avg.seeds, [0, 1]);
  assert.equal(avg.nTest, 25);
  assert.equal(avg.nTrain, 75);
  const [ens, knn] = avg.results;
  assert.ok(Math.abs(ens!.metrics.spearman_final.value - 0.8) < 1e-12);
  assert.deepEqual(ens!.metrics.spearman_final.values, [0.9, 0.7]);
  assert.equal(ens!.fitSeconds, 3);
  // a seed on which a metric is undefined (no grokking run held out) does not make the mean undefined
  assert.equal(ens!.metrics.auc_grokking.value, 0.8);
  assert.equal(ens!.metrics.auc_grokking.n, 35);
  assert.ok(Number.isNaN(ens!.metrics.auc_grokking.values![0]!));
  // per family: a family scored under one seed only keeps that value
  assert.ok(Math.abs(ens!.families.dyck!.value - 0.6) < 1e-12);
  assert.equal(ens!.families.dyck!.n, 7);
  assert.equal(ens!.families.sequence!.value, 0.9);
  assert.ok(Number.isNaN(ens!.families.sequence!.values![0]!));
  assert.deepEqual(knn!.families, {});
  // per knob, likewise
  assert.deepEqual(Object.keys(ens!.knobs), ["train.lr", "train.steps"]);
  assert.equal(ens!.knobs["train.lr"]!.value, 0.75);
  assert.equal(ens!.knobs["train.lr"]!.n, 5);
  assert.equal(ens!.knobs["train.steps"]!.value, 0.75);
  assert.deepEqual(knn!.knobs, {});
  assert.ok(Math.abs(knn!.metrics.spearman_final.value - 0.775) < 1e-12);
  assert.equal(knn!.metrics.spearman_final.n, 12, "mean count, rounded");
  // knn wins seed a (0.95 > 0.9) but the ensemble wins on the mean (0.8 > 0.775)
  assert.deepEqual(avg.winners.spearman_final, ["ensemble"]);
  assert.deepEqual(avg.winners.auc_grokking, ["ensemble"]);
  // lower is better for the MAEs: knn's 0.775 beats 0.8
  assert.deepEqual(avg.winners.mae_curve, ["knn"]);
  assert.throws(() => averageSplitReports([a, report(2, "x", 20, [result("other", 0.5, 1), result("knn", 0.5, 1)])]), /different predictors/);
});

test("evaluatePredictors over several seeds refits per seed (a fixed split once) and reports the seeds", async () => {
  const ex = syntheticExamples({ n: 120, seed: 5 });
  ex.forEach((e, i) => (e.family = ["teacher-student", "fam-b", "fam-c"][i % 3]!));
  const fits: number[] = [];
  const knn = new NearestNeighboursPredictor();
  const counting = Object.assign(Object.create(knn) as NearestNeighboursPredictor, {
    fit: async (train: Parameters<NearestNeighboursPredictor["fit"]>[0]) => {
      fits.push(train.length);
      await knn.fit(train);
    },
  });
  const predictors = [counting, new FamilyMeanPredictor()];
  const multi = await evaluatePredictors(ex, predictors, { splits: ["random", "scale"], seeds: [3, 4] });
  assert.deepEqual(multi.seeds, [3, 4]);
  assert.equal(multi.seed, 3);
  assert.equal(fits.length, 3, "one fit per seed of the random split, one of the scale split");
  assert.deepEqual(multi.splits.map((s) => s.seeds), [[3, 4], [3]]);
  assert.equal(multi.splits[1]!.results[0]!.metrics.mae_curve.values, undefined, "the scale split is not averaged");
  const one3 = await evaluatePredictors(ex, predictors, { splits: ["random"], seed: 3 });
  const one4 = await evaluatePredictors(ex, predictors, { splits: ["random"], seeds: [4] });
  assert.deepEqual(one3.seeds, [3]);
  assert.equal(one3.splits[0]!.results[0]!.metrics.mae_curve.values, undefined, "a single seed keeps the plain form");
  const v3 = one3.splits[0]!.results[0]!.metrics.mae_curve.value, v4 = one4.splits[0]!.results[0]!.metrics.mae_curve.value;
  assert.notEqual(v3, v4, "the seeds draw different splits");
  const m = multi.splits[0]!.results[0]!.metrics.mae_curve;
  assert.deepEqual(m.values, [v3, v4]);
  assert.ok(Math.abs(m.value - (v3 + v4) / 2) < 1e-12);
  const text = renderReport(multi, "knn");
  assert.match(text, /split seeds 3, 4: each value the mean over a split's draws ± its standard deviation/);
  assert.match(text, /test runs \(means over seeds 3, 4\)/);
  assert.match(text, /test runs \(drawn once: the split does not depend on the seed\)/);
  assert.match(text, /\d\.\d{3}±\d\.\d{3}/);
  assert.deepEqual(JSON.parse(reportJson(multi)).seeds, [3, 4]);
});
