// Splits are disjoint, complete and deterministic; intervention pairs are found by
// config diffs; the harness scores an oracle perfectly, marks winners and keeps
// undefined metrics undefined.

import { test } from "node:test";
import assert from "node:assert/strict";
import { evaluatePredictors, forkCases, scorePredictions, winnersOf, EVAL_METRICS, type PredictorResult } from "../../src/worldmodel/evaluate.js";
import { renderReport, reportJson } from "../../src/worldmodel/evaluate-render.js";
import { configLeaves, differingPaths, interventionPairs, isSinglePathChange, pairKnob } from "../../src/worldmodel/pairs.js";
import { makeSplit, relatedGroups, SPLIT_KINDS } from "../../src/worldmodel/splits.js";
import { FamilyMeanPredictor, NearestNeighboursPredictor } from "../../src/worldmodel/baselines/index.js";
import { CURVE_METRICS, EVENT_KINDS, type Example, type Prediction, type Predictor, type Query } from "../../src/worldmodel/types.js";
import { median } from "../../src/worldmodel/metrics.js";
import { syntheticExamples } from "./synthetic.js";

/** Synthetic runs spread over three families (relabelled), some in lr sweeps. */
function examples(): Example[] {
  const out = syntheticExamples({ n: 150, seed: 4 });
  out.forEach((e, i) => {
    e.family = ["teacher-student", "fam-b", "fam-c"][i % 3]!;
    e.paramCount = 100 + i;
  });
  return out;
}

test("splits: disjoint, complete, deterministic, and each asks its question", () => {
  const ex = examples();
  for (const kind of SPLIT_KINDS) {
    const s = makeSplit(kind, ex, 7);
    const ids = (xs: Example[]) => xs.map((e) => e.runId);
    const train = new Set(ids(s.train));
    assert.ok(ids(s.test).every((id) => !train.has(id)), `${kind}: disjoint`);
    assert.equal(s.train.length + s.test.length, ex.length, `${kind}: complete`);
    assert.deepEqual(ids(makeSplit(kind, [...ex].reverse(), 7).test), ids(s.test), `${kind}: independent of input order`);
    assert.ok(s.test.length > 0 && s.train.length > 0);
  }
  const random = makeSplit("random", ex, 7);
  const groups = relatedGroups(ex);
  const largest = Math.max(...[...groups.values()].map((g) => g.length));
  assert.ok(random.test.length >= 30 && random.test.length < 30 + largest, `random test side ${random.test.length}`);
  const testIds = new Set(random.test.map((e) => e.runId));
  for (const [key, g] of groups) assert.ok(g.every((e) => testIds.has(e.runId)) || g.every((e) => !testIds.has(e.runId)), `group ${key} is on one side`);
  assert.notDeepEqual(makeSplit("random", ex, 7).test.map((e) => e.runId), makeSplit("random", ex, 8).test.map((e) => e.runId));
  const fam = makeSplit("family", ex, 7);
  const trainFamilies = new Set(fam.train.map((e) => e.family));
  assert.ok(fam.test.every((e) => !trainFamilies.has(e.family)), "held-out families are unseen");
  const scale = makeSplit("scale", ex, 7);
  const size = (e: Example) => e.paramCount * e.steps;
  for (const family of new Set(ex.map((e) => e.family))) {
    const [tr, te] = [scale.train, scale.test].map((side) => side.filter((e) => e.family === family).map(size));
    assert.equal(te!.length, 15, `${family}: the largest 30% of its 50 runs are tested`);
    assert.ok(Math.max(...tr!) < Math.min(...te!), `${family}: trained on the smaller runs`);
  }
  // runs as large as the cut go to the test side together (a config's seed replicates):
  // with a twin of fam-c's 36th smallest run, the cut (the 36th of 51) falls between them
  const original = ex[107]!;
  assert.equal(original.family, "fam-c");
  const withTwin = makeSplit("scale", [...ex, { ...original, runId: "twin" }], 7);
  const tested = new Set(withTwin.test.map((e) => e.runId));
  assert.ok(tested.has("twin") && tested.has(original.runId));
});

test("related groups: a sweep, the seed replicates of a config and a run's forks go together", () => {
  const ex = syntheticExamples({ n: 6, seed: 9 });
  const [a, b, c, d, e, f] = ex as [Example, Example, Example, Example, Example, Example];
  a.sweepId = b.sweepId = "s1";
  c.config = { ...structuredClone(d.config as object), task: { ...(d.config as { task: object }).task, seed: 99 } };
  e.fork = { parentRunId: a.runId, forkStep: 10 };
  f.fork = { parentRunId: e.runId, forkStep: 20 };
  const groupOf = new Map<string, string>();
  for (const [key, g] of relatedGroups(ex)) for (const x of g) groupOf.set(x.runId, key);
  assert.equal(groupOf.get(a.runId), groupOf.get(b.runId), "one sweep");
  assert.equal(groupOf.get(c.runId), groupOf.get(d.runId), "replicates differ only in seeds");
  assert.equal(groupOf.get(e.runId), groupOf.get(a.runId), "a fork joins its parent's group");
  assert.equal(groupOf.get(f.runId), groupOf.get(a.runId), "a fork of a fork too");
  assert.notEqual(groupOf.get(a.runId), groupOf.get(c.runId));
});

test("pair knobs: the path, a model path by its field, a difficulty for the task fields it sets", () => {
  assert.equal(pairKnob(["train.lr"]), "train.lr");
  assert.equal(pairKnob(["model.children[2].child.children[1].width"]), "model.width");
  assert.equal(pairKnob(["model.width"]), "model.width");
  assert.equal(pairKnob(["task.difficulty", "task.k", "task.n"]), "task.difficulty");
  assert.equal(pairKnob(["task.trainSize"]), "task.trainSize");
});

test("intervention pairs: one differing path within a sweep; difficulty moves its parameters", () => {
  const a = configLeaves({ name: "x", task: { family: "f", p: 1 }, train: { lr: 1, steps: 10 }, model: { children: [{ width: 4 }] } });
  const b = configLeaves({ name: "y", task: { family: "f", p: 1 }, train: { lr: 2, steps: 10 }, model: { children: [{ width: 4 }] } });
  const c = configLeaves({ task: { family: "f", p: 1 }, train: { lr: 2, steps: 10 }, model: { children: [{ width: 8 }] } });
  assert.deepEqual(differingPaths(a, b), ["train.lr"], "the name is ignored");
  assert.deepEqual(differingPaths(a, c), ["model.children[0].width", "train.lr"]);
  assert.ok(isSinglePathChange(["train.lr"]));
  assert.ok(!isSinglePathChange(["model.children[0].width", "train.lr"]));
  assert.ok(isSinglePathChange(["task.difficulty", "task.p"]));
  assert.ok(!isSinglePathChange(["task.difficulty", "train.lr"]));

  const ex = syntheticExamples({ n: 4, seed: 5 });
  // same lr, width and seed except one path: rebuild configs by hand
  const base = ex[0]!.config as { train: { lr: number } };
  ex[1]!.config = { ...base, train: { ...base.train, lr: base.train.lr * 2 } };
  ex[2]!.config = { ...base, train: { ...base.train, lr: base.train.lr * 4 } };
  for (const e of ex.slice(0, 3)) e.sweepId = "s1";
  ex[3]!.sweepId = "s2";
  assert.deepEqual(interventionPairs(ex), [[0, 1], [0, 2], [1, 2]]);
});

/** Predicts each example's own curves (looked up by config), with a tiny std. */
class Oracle implements Predictor {
  readonly name = "oracle";
  private byConfig = new Map<string, Example>();
  constructor(private readonly all: Example[]) {}
  async fit(): Promise<void> {
    for (const e of this.all) this.byConfig.set(JSON.stringify(e.config), e);
  }
  async predict(queries: Query[]): Promise<Prediction[]> {
    return queries.map((q) => {
      const e = this.byConfig.get(JSON.stringify(q.config))!;
      const curves = {} as Prediction["curves"];
      for (const m of CURVE_METRICS) curves[m] = { mean: Float64Array.from(e.curves[m]), std: new Float64Array(e.curves[m].length).fill(1e-3) };
      return { curves, events: Object.fromEntries(EVENT_KINDS.map((k) => [k, e.events[k]])) as Prediction["events"] };
    });
  }
}

test("the harness scores an oracle perfectly and marks it the winner", async () => {
  const ex = examples();
  // sweeps: consecutive triples share a sweep and differ only in lr
  for (let i = 0; i + 2 < 60; i += 3) {
    const base = ex[i]!.config as { train: { lr: number } };
    for (let j = 0; j < 3; j++) {
      const e = ex[i + j]!;
      e.config = { ...base, train: { ...base.train, lr: base.train.lr * 3 ** j } };
      e.sweepId = `s${i}`;
      e.curves.test_loss = e.curves.test_loss.map((v) => v + 0.2 * j);
    }
  }
  // forks: runs 60..119 continue runs 0..59 from a third of the way in
  for (let i = 60; i < 120; i++) ex[i]!.fork = { parentRunId: ex[i - 60]!.runId, forkStep: Math.round(ex[i]!.steps / 3) };
  const report = await evaluatePredictors(ex, [new Oracle(ex), new NearestNeighboursPredictor(), new FamilyMeanPredictor()], { seed: 3 });
  assert.deepEqual(report.splits.map((s) => s.split), [...SPLIT_KINDS]);
  for (const s of report.splits) {
    const oracle = s.results.find((r) => r.predictor === "oracle")!.metrics;
    assert.ok(Math.abs(oracle.spearman_final.value - 1) < 1e-12, `${s.split}`);
    assert.ok(Math.abs(oracle.r2_final.value - 1) < 1e-12);
    assert.equal(oracle.mae_curve.value, 0);
    assert.equal(oracle.extrapolation_mae.value, 0);
    if (oracle.fork_mae.n > 0) assert.equal(oracle.fork_mae.value, 0);
    assert.equal(oracle.coverage80.value, 1);
    assert.equal(oracle.auc_divergence.value, 1);
    assert.ok(Number.isNaN(oracle.auc_grokking.value), "no grokking in the data: AUC undefined");
    assert.equal(s.winners.spearman_final.join(), "oracle");
    assert.equal(s.winners.auc_grokking.length, 0);
    assert.equal(s.results.length, 3);
    if (oracle.sign_accuracy.n > 0) assert.equal(oracle.sign_accuracy.value, 1);
    // the per-knob values behind sign accuracy: the synthetic sweeps turn the learning rate, and split its pairs
    const knobs = s.results[0]!.knobs;
    assert.equal(Object.values(knobs).reduce((n, v) => n + v.n, 0), oracle.sign_accuracy.n);
    if (oracle.sign_accuracy.n > 0) assert.deepEqual(Object.entries(knobs).map(([k, v]) => [k, v.value]), [["train.lr", 1]]);
    if (oracle.fork_sign_accuracy.n > 0) assert.equal(oracle.fork_sign_accuracy.value, 1);
    // the per-family values behind the median: 1 for the oracle, and the median of kNN's is its headline
    const families = s.results[0]!.families;
    assert.ok(Object.keys(families).length > 0 && Object.values(families).every((v) => v.value === 1 && v.n >= 5), `${s.split}`);
    const knn = s.results[1]!;
    assert.equal(knn.metrics.spearman_final_family.value, median(Object.values(knn.families).map((v) => v.value)));
  }
  assert.ok(report.splits.some((s) => s.results[0]!.metrics.fork_sign_accuracy.n > 0), "some forks' effects are scored");
  assert.ok(report.splits.some((s) => s.results[0]!.metrics.sign_accuracy.n > 0), "some sweep pairs are in a test set");
  assert.ok(report.splits.every((s) => s.results[0]!.metrics.fork_mae.n > 0), "every split tests some forks");
  const text = renderReport(report, "oracle");
  assert.match(text, /split random/);
  assert.match(text, /oracle on random: /);
  assert.match(text, /within-family Spearman of oracle, per family \(test runs\): fam-b 1\.000 \(\d+\)/);
  assert.match(text, /sign accuracy of oracle, per knob turned \(pairs\): train\.lr 1\.000 \(\d+\)/);
  assert.match(text, /seed noise: no configs were run with two seeds/, "the synthetic runs have no replicates");
  assert.equal(report.noise.configs, 0);
  const parsed = JSON.parse(reportJson(report));
  assert.equal(parsed.splits[0].results[0].metrics.auc_grokking.value, null);
});

/** The oracle, except that a fork asked from its config alone is answered as a fresh run of that config would be: far off. */
class FreshRunOracle extends Oracle {
  constructor(all: Example[], private readonly forkConfigs: Set<string>) {
    super(all);
  }
  override async predict(queries: Query[]): Promise<Prediction[]> {
    const preds = await super.predict(queries);
    return preds.map((p, i) => {
      const q = queries[i]!;
      if (q.observed || !this.forkConfigs.has(JSON.stringify(q.config))) return p;
      const curves = {} as Prediction["curves"];
      for (const m of CURVE_METRICS) curves[m] = { mean: p.curves[m].mean.map((v) => v + 5), std: p.curves[m].std };
      return { ...p, curves };
    });
  }
}

test("forks are scored by the fork metrics only: their config alone does not say what they did", async () => {
  const ex = examples();
  for (let i = 60; i < 120; i++) ex[i]!.fork = { parentRunId: ex[i - 60]!.runId, forkStep: Math.round(ex[i]!.steps / 3) };
  const forkConfigs = new Set(ex.filter((e) => e.fork).map((e) => JSON.stringify(e.config)));
  const report = await evaluatePredictors(ex, [new FreshRunOracle(ex, forkConfigs)], { seed: 3 });
  for (const s of report.splits) {
    const split = makeSplit(s.split, ex, 3);
    const forks = split.test.filter((e) => e.fork).length;
    assert.ok(forks > 0, `${s.split}: the test side holds forks`);
    assert.equal(s.nForks, forks);
    const m = s.results[0]!.metrics;
    assert.equal(m.spearman_final.n, split.test.length - forks, `${s.split}: config-only metrics count the fresh runs`);
    assert.ok(Math.abs(m.r2_final.value - 1) < 1e-12, `${s.split}: R^2 ${m.r2_final.value}`);
    assert.equal(m.mae_curve.value, 0, `${s.split}: curve MAE`);
    assert.equal(m.coverage80.value, 1);
    assert.ok(Object.values(s.results[0]!.families).every((v) => v.value === 1));
    assert.equal(m.fork_mae.value, 0, "forks are still scored, given their parent's curve");
  }
  assert.match(renderReport(report), /test runs, \d+ of them forks \(scored by the fork metrics only\)/);
});

test("winners: higher, lower and nearest to 0.8; ties all win; NaN never wins", () => {
  const r = (predictor: string, v: number): PredictorResult => ({
    predictor, fitSeconds: 0,
    metrics: Object.fromEntries(EVAL_METRICS.map((m) => [m, { value: v, n: 1 }])) as PredictorResult["metrics"], families: {}, knobs: {},
  });
  const rs = [r("a", 0.7), r("b", 0.95), r("c", NaN), r("d", 0.7)];
  assert.deepEqual(winnersOf(rs, "spearman_final"), ["b"]);
  assert.deepEqual(winnersOf(rs, "mae_curve"), ["a", "d"]);
  assert.deepEqual(winnersOf(rs, "coverage80"), ["a", "d"]);
  assert.deepEqual(winnersOf([r("c", NaN)], "r2_final"), []);
  // a predictor that cannot tell a sweep's runs apart scores 1/2 on sign accuracy
  const ex = syntheticExamples({ n: 2, seed: 6 });
  ex[1]!.config = { ...(ex[0]!.config as object), train: { ...(ex[0]!.config as { train: object }).train, lr: 1 } };
  ex[1]!.curves.test_loss = ex[1]!.curves.test_loss.map((v) => v + 1);
  ex[0]!.sweepId = ex[1]!.sweepId = "s";
  const same = (e: Example): Prediction => ({
    curves: Object.fromEntries(CURVE_METRICS.map((m) => [m, { mean: Float64Array.from(ex[0]!.curves[m]), std: new Float64Array(16).fill(1) }])) as Prediction["curves"],
    events: Object.fromEntries(EVENT_KINDS.map((k) => [k, e.events[k]])) as Prediction["events"],
  });
  const scores = scorePredictions(ex, ex.map(same), ex.map(same));
  assert.deepEqual(scores.sign_accuracy, { value: 0.5, n: 1 });
});

test("fork cases: forks of a known parent, observed up to the fork step", () => {
  const ex = syntheticExamples({ n: 3, seed: 6 });
  const [parent, child, orphan] = ex as [Example, Example, Example];
  child.fork = { parentRunId: parent.runId, forkStep: Math.round(child.steps / 4) };
  orphan.fork = { parentRunId: "not-stored", forkStep: 10 };
  const cases = forkCases([child, orphan], ex);
  assert.equal(cases.length, 1, "a fork whose parent is unknown is not a fork case");
  const obs = cases[0]!.query.observed!;
  assert.ok(Math.abs(obs.upToFraction - child.fork.forkStep / child.steps) < 1e-12);
  assert.ok(Number.isFinite(obs.curves.train_loss![0]!), "the parent's first point is observed");
  assert.ok(Number.isNaN(obs.curves.train_loss![15]!), "nothing after the fork step is observed");
  assert.deepEqual(cases[0]!.query.config, child.config, "the fork's own (changed) config");
  const parentObs = cases[0]!.parentQuery.observed!;
  assert.equal(cases[0]!.parentQuery.config, parent.config, "the parent continues unchanged");
  assert.ok(Math.abs(parentObs.upToFraction - child.fork.forkStep / parent.steps) < 1e-12, "from the same step, on the parent's grid");
});
