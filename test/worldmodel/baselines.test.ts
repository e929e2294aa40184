// The baselines on synthetic examples: k-NN follows a smooth config -> loss map that
// the family mean cannot; the family mean pools by family with a global fallback;
// the power law recovers a power-law curve from its prefix.

import { test } from "node:test";
import assert from "node:assert/strict";
import { FamilyMeanPredictor, NearestNeighboursPredictor, PowerLawPredictor, baselines, BASELINE_NAMES } from "../../src/worldmodel/baselines/index.js";
import { nearestRows } from "../../src/worldmodel/baselines/nearest-neighbours.js";
import { fitPowerLaw } from "../../src/worldmodel/baselines/power-law.js";
import { meanAbsoluteError, spearman } from "../../src/worldmodel/metrics.js";
import { prefixQuery } from "../../src/worldmodel/evaluate.js";
import { CURVE_FRACTIONS, CURVE_POINTS, EVENT_KINDS, noEvents, type Example } from "../../src/worldmodel/types.js";
import { syntheticConfig, syntheticExamples } from "./synthetic.js";

const LAST = CURVE_POINTS - 1;

test("k-NN beats the family mean on a smooth synthetic map", async () => {
  const train = syntheticExamples({ n: 240, seed: 1 });
  const test_ = syntheticExamples({ n: 60, seed: 2 });
  const actual = test_.map((e) => e.curves.test_loss[LAST]!);
  const scores: Record<string, { rho: number; mae: number }> = {};
  for (const p of [new NearestNeighboursPredictor(), new FamilyMeanPredictor()]) {
    await p.fit(train);
    const preds = await p.predict(test_.map((e) => ({ config: e.config })));
    const predicted = preds.map((q) => q.curves.test_loss.mean[LAST]!);
    scores[p.name] = { rho: spearman(actual, predicted), mae: meanAbsoluteError(actual, predicted) };
  }
  const knn = scores["nearest-neighbours"]!, fam = scores["family-mean"]!;
  assert.ok(knn.rho > 0.8, `k-NN Spearman ${knn.rho}`);
  assert.ok(Number.isNaN(fam.rho), "one family: the family mean predicts one value for all");
  assert.ok(knn.mae < 0.6 * fam.mae, `k-NN MAE ${knn.mae} vs family mean ${fam.mae}`);
});

test("k-NN: a training config is its own nearest neighbour; support and std are reported", async () => {
  const train = syntheticExamples({ n: 50, seed: 3 });
  const knn = new NearestNeighboursPredictor(4);
  await knn.fit(train);
  const near = knn.neighbours(train[7]!.config);
  assert.equal(near.length, 4);
  assert.equal(near[0]!.example.runId, train[7]!.runId);
  assert.ok(near[0]!.distance < 1e-6);
  const [p] = await knn.predict([{ config: train[7]!.config }]);
  assert.equal(p!.support!.neighbours, 4);
  assert.ok([...p!.curves.test_loss.std].every((s) => s > 0));
  for (const k of EVENT_KINDS) assert.ok(p!.events[k] >= 0 && p!.events[k] < 1, `P(${k}) is a probability`);
  assert.ok(train.some((e) => e.events.diverged) && p!.events.diverged > 0, "a seen event keeps a positive probability");
});

test("k-NN search: the early-stopping sums find exactly the brute-force neighbours, ties to the lower index", () => {
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const dims = 17, n = 600;
  // coarse values (multiples of 0.5) make equal distances common
  const rows = Float32Array.from({ length: n * dims }, () => Math.round(rand() * 6) / 2);
  for (let t = 0; t < 40; t++) {
    const q = Float32Array.from({ length: dims }, () => Math.round(rand() * 6) / 2);
    const k = 1 + (t % 9);
    const brute = Array.from({ length: n }, (_, i) => {
      let d = 0;
      for (let j = 0; j < dims; j++) d += (q[j]! - rows[i * dims + j]!) ** 2;
      return { i, d };
    }).sort((a, b) => a.d - b.d || a.i - b.i).slice(0, k);
    assert.deepEqual(nearestRows(q, rows, dims, k), brute, `query ${t}, k ${k}`);
  }
  assert.deepEqual(nearestRows(new Float32Array(3), new Float32Array(0), 3, 4), [], "no rows");
  assert.equal(nearestRows(new Float32Array(2), new Float32Array(6), 2, 8).length, 3, "fewer rows than k");
});

/** An example of `family` whose curves are constant `level`. */
function flat(family: string, level: number, i: number, diverged: 0 | 1 = 0): Example {
  const events = noEvents();
  events.diverged = diverged;
  const c = () => new Float64Array(CURVE_POINTS).fill(level);
  return {
    runId: `${family}-${i}`, configId: `${family}-${i}`, family, config: { task: { family }, train: { steps: 100 } }, steps: 100, paramCount: 10,
    curves: { train_loss: c(), test_loss: c(), train_acc: c(), test_acc: c() }, events, fork: null, sweepId: null,
  };
}

test("family mean: per family, global fallback for unseen or small families, smoothed event rates", async () => {
  const train = [flat("a", 1, 0, 1), flat("a", 3, 1), flat("a", 2, 2), flat("a", 2, 3), flat("b", 10, 0), flat("b", 10, 1), flat("b", 10, 2), flat("c", 100, 0)];
  const p = new FamilyMeanPredictor();
  await p.fit(train);
  const [a, b, c, unknown] = await p.predict(["a", "b", "c", "zzz"].map((family) => ({ config: { task: { family } } })));
  assert.equal(a!.curves.test_loss.mean[0], 2);
  assert.ok(Math.abs(a!.curves.test_loss.std[0]! - Math.sqrt(0.5)) < 1e-12);
  assert.equal(b!.curves.train_acc.mean[5], 10);
  const globalMean = (1 + 3 + 2 + 2 + 30 + 100) / 8;
  assert.ok(Math.abs(c!.curves.test_loss.mean[3]! - globalMean) < 1e-12, "one run of c is too few: global mean");
  assert.ok(Math.abs(unknown!.curves.test_loss.mean[3]! - globalMean) < 1e-12);
  // family a: 1 divergence in 4 runs, pulled toward the global rate 1/8: (1 + 1/8) / (4 + 1)
  assert.ok(Math.abs(a!.events.diverged - 1.125 / 5) < 1e-12);
});

test("power law: recovers a + b t^-c and extends a prefix; without one it is the family mean", async () => {
  const t = [1, 2, 4, 8, 16, 32, 64];
  const fit = fitPowerLaw(t, t.map((x) => 0.2 + 1.5 * x ** -0.5))!;
  assert.ok(Math.abs(fit.c - 0.5) < 0.05 && Math.abs(fit.a - 0.2) < 0.05 && fit.residualStd < 0.01, JSON.stringify(fit));

  const e = flat("a", 0, 0);
  const steps = 1000;
  e.config = syntheticConfig(0.003, 16);
  const law = (k: number) => -0.5 + 2 * (CURVE_FRACTIONS[k]! * steps) ** -0.4;
  for (const m of ["train_loss", "test_loss"] as const) e.curves[m] = Float64Array.from({ length: CURVE_POINTS }, (_, k) => law(k));
  const p = new PowerLawPredictor();
  const fam = new FamilyMeanPredictor();
  const train = [flat("teacher-student", 1, 1), flat("teacher-student", 1, 2), flat("teacher-student", 1, 3)];
  await p.fit(train);
  await fam.fit(train);
  const [withPrefix, without] = await p.predict([prefixQuery(e), { config: e.config }]);
  for (let k = 12; k < CURVE_POINTS; k++) {
    assert.ok(Math.abs(withPrefix!.curves.test_loss.mean[k]! - law(k)) < 0.03, `point ${k}: ${withPrefix!.curves.test_loss.mean[k]} vs ${law(k)}`);
    assert.ok(withPrefix!.curves.test_loss.std[k]! >= withPrefix!.curves.test_loss.std[k - 1]! - 1e-12, "std grows past the prefix");
  }
  const [famPred] = await fam.predict([{ config: e.config }]);
  assert.deepEqual([...without!.curves.test_loss.mean], [...famPred!.curves.test_loss.mean]);
});

test("the baseline table makes a fresh predictor of each name", () => {
  for (const name of BASELINE_NAMES) assert.equal(baselines[name].make().name, name);
});
