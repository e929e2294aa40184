// The ensemble learns a known synthetic map (config -> final loss, with a hidden
// per-run offset that only the curve prefix reveals): ranks held-out runs, gives
// roughly calibrated 80% intervals, uses an observed prefix to extrapolate, predicts
// divergence, and serializes to bytes that reproduce its predictions exactly.

import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { WorldModel } from "../../src/worldmodel/model.js";
import { forkObserved } from "../../src/worldmodel/examples.js";
import { CURVE_OUTPUTS, EVENT_OUTPUTS } from "../../src/worldmodel/ensemble.js";
import { predictMoments, predictRaw } from "../../src/worldmodel/ensemble-predict.js";
import { CURVE_POINTS, type Example, type Prediction } from "../../src/worldmodel/types.js";
import { spearman, syntheticExamples } from "./synthetic.js";

const K = CURVE_POINTS - 1;
const FIT = { members: 4, hidden: [48, 48], steps: 900, batchSize: 64, lr: 3e-3, seed: 3, evalEvery: 50 };

function rmse(preds: Prediction[], test: Example[]): number {
  return Math.sqrt(preds.reduce((s, p, i) => s + (p.curves.test_loss.mean[K]! - test[i]!.curves.test_loss[K]!) ** 2, 0) / preds.length);
}

function auc(scores: number[], labels: number[]): number {
  let pairs = 0, wins = 0;
  scores.forEach((s, i) => scores.forEach((t, j) => {
    if (labels[i] === 1 && labels[j] === 0) {
      pairs++;
      wins += s > t ? 1 : s === t ? 0.5 : 0;
    }
  }));
  return wins / pairs;
}

describe("ensemble world model on a synthetic map", () => {
  const train = syntheticExamples({ n: 260, seed: 1, noise: 0.03, hidden: 0.15 });
  const test = syntheticExamples({ n: 120, seed: 2, noise: 0.03, hidden: 0.15 });
  const model = new WorldModel(FIT);
  let configOnly: Prediction[] = [];

  before(async () => {
    await model.fit(train);
    configOnly = await model.predict(test.map((e) => ({ config: e.config })));
  });

  it("ranks held-out runs by final test loss", () => {
    const rho = spearman(configOnly.map((p) => p.curves.test_loss.mean[K]!), test.map((e) => e.curves.test_loss[K]!));
    assert.ok(rho > 0.85, `spearman ${rho}`);
  });

  it("gives 80% intervals that cover roughly 80% of held-out final losses", () => {
    const covered = configOnly.filter((p, i) => Math.abs(p.curves.test_loss.mean[K]! - test[i]!.curves.test_loss[K]!) <= 1.2816 * p.curves.test_loss.std[K]!).length;
    const coverage = covered / test.length;
    assert.ok(coverage > 0.6 && coverage < 0.97, `coverage ${coverage}`);
  });

  it("extrapolates better from an observed prefix than from the config alone", async () => {
    const withPrefix = await model.predict(test.map((e) => ({ config: e.config, observed: { upToFraction: 0.2, curves: e.curves } })));
    const [a, b] = [rmse(configOnly, test), rmse(withPrefix, test)];
    assert.ok(b < 0.8 * a, `rmse with prefix ${b} vs config only ${a}`);
  });

  it("predicts divergence", () => {
    const score = auc(configOnly.map((p) => p.events.diverged), test.map((e) => e.events.diverged));
    assert.ok(score > 0.85, `divergence AUC ${score}`);
  });

  it("reproduces its predictions exactly after serialize/deserialize", async () => {
    const bytes = model.serialize();
    const copy = WorldModel.deserialize(bytes);
    const queries = test.slice(0, 20).map((e, i) => ({ config: e.config, observed: i % 2 ? { upToFraction: 0.1, curves: e.curves } : null }));
    const [p, q] = [await model.predict(queries), await copy.predict(queries)];
    assert.deepEqual(q, p);
    assert.deepEqual(copy.meta, model.meta);
    assert.deepEqual(copy.support(queries[0]!), model.support(queries[0]!));
  });

  it("gives config-only queries the same answer on the fast path (batch of config-only rows) as on the full one", async () => {
    const q = { config: test[0]!.config };
    const [fast] = await model.predict([q]);
    const [full] = await model.predict([q, { config: test[1]!.config, observed: { upToFraction: 0.1, curves: test[1]!.curves } }]);
    for (let k = 0; k < CURVE_POINTS; k++) {
      assert.ok(Math.abs(fast!.curves.test_loss.mean[k]! - full!.curves.test_loss.mean[k]!) < 1e-5);
      assert.ok(Math.abs(fast!.curves.test_loss.std[k]! - full!.curves.test_loss.std[k]!) < 1e-5);
    }
  });

  it("computes the ensemble moments on the engine as the members' own outputs give them", () => {
    // config-only and prefixed rows, over more than one chunk
    const queries = test.map((e, i) => ({ config: e.config, observed: i % 3 === 0 ? { upToFraction: 0.2, curves: e.curves } : null }));
    const { rows } = model.inputRows(queries);
    const N = queries.length, net = model.trained.net, P = net.shape.members;
    const raw = predictRaw(net, rows, N, 50);
    const moments = predictMoments(net, rows, N, 50);
    const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-5 * (1 + Math.abs(b)), `${what}: ${a} vs ${b}`);
    for (let r = 0; r < N; r++) {
      for (let j = 0; j < CURVE_OUTPUTS; j++) {
        const mu = Array.from({ length: P }, (_, p) => raw.mean[(p * N + r) * CURVE_OUTPUTS + j]!);
        const m = mu.reduce((a, b) => a + b, 0) / P;
        const aleatoric = Array.from({ length: P }, (_, p) => raw.variance[(p * N + r) * CURVE_OUTPUTS + j]!).reduce((a, b) => a + b, 0) / P;
        const epistemic = mu.reduce((a, v) => a + (v - m) ** 2, 0) / P;
        close(moments.mean[r * CURVE_OUTPUTS + j]!, m, `mean ${r},${j}`);
        close(moments.variance[r * CURVE_OUTPUTS + j]!, aleatoric + epistemic, `variance ${r},${j}`);
      }
      for (let e = 0; e < EVENT_OUTPUTS; e++) {
        const prob = Array.from({ length: P }, (_, p) => 1 / (1 + Math.exp(-raw.logits[(p * N + r) * EVENT_OUTPUTS + e]!))).reduce((a, b) => a + b, 0) / P;
        close(moments.prob[r * EVENT_OUTPUTS + e]!, prob, `event ${r},${e}`);
      }
    }
  });

  it("trains on forks with their parent's prefix and predicts a fork from it", async () => {
    const examples = train.slice(0, 80).map((e, i) => (i % 4 === 3 ? { ...e, runId: `fork-${i}`, fork: { parentRunId: train[i - 1]!.runId, forkStep: 100 } } : e));
    const m = new WorldModel({ ...FIT, steps: 60 });
    await m.fit(examples);
    assert.equal(m.meta.trainedOn.forks, 20);
    const [p] = await m.predict([{ config: examples[3]!.config, observed: forkObserved(examples[2]!, 100, 1000) }]);
    assert.ok(p!.curves.test_loss.mean.every(Number.isFinite) && p!.curves.test_loss.std.every((s) => s > 0));
  });

  it("is deterministic given the seed", async () => {
    const again = new WorldModel(FIT);
    await again.fit(train.slice(0, 80), { steps: 50 });
    const other = new WorldModel(FIT);
    await other.fit(train.slice(0, 80), { steps: 50 });
    const q = test.slice(0, 5).map((e) => ({ config: e.config }));
    assert.deepEqual(await again.predict(q), await other.predict(q));
  });

  it("reports support: more neighbours near the training data than far from it", () => {
    const near = model.support({ config: train[0]!.config });
    const farConfig = structuredClone(train[0]!.config) as { train: { lr: number; steps: number } };
    farConfig.train.lr = 50;
    farConfig.train.steps = 90_000;
    const far = model.support({ config: farConfig });
    assert.ok(near.neighbours > far.neighbours && near.meanDistance < far.meanDistance, JSON.stringify({ near, far }));
  });
});
