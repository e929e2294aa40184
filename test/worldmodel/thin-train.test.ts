// Thinning a split's train side (the learning curve in runs): whole groups of
// related runs are kept or dropped, the test side is untouched, the draw is
// seeded and deterministic, and the evaluation fits on the thinned side only.

import { test } from "node:test";
import assert from "node:assert/strict";
import { evaluatePredictors } from "../../src/worldmodel/evaluate.js";
import { makeSplit, relatedGroups, thinTrainSide } from "../../src/worldmodel/splits.js";
import { NearestNeighboursPredictor } from "../../src/worldmodel/baselines/index.js";
import type { Example, Predictor, Query } from "../../src/worldmodel/types.js";
import { syntheticExamples } from "./synthetic.js";

const ids = (xs: readonly Example[]) => xs.map((e) => e.runId);

function examples(): Example[] {
  const out = syntheticExamples({ n: 200, seed: 11 });
  out.forEach((e, i) => (e.family = ["teacher-student", "fam-b"][i % 2]!));
  return out;
}

test("thinning keeps a seeded fraction of the train side by whole groups and leaves the test side alone", () => {
  const split = makeSplit("random", examples(), 3);
  const largest = Math.max(...[...relatedGroups(split.train).values()].map((g) => g.length));
  for (const fraction of [0.25, 0.5, 0.9]) {
    const thin = thinTrainSide(split, fraction, 5);
    assert.deepEqual(ids(thin.test), ids(split.test), "the test side is the same");
    const want = fraction * split.train.length;
    assert.ok(thin.train.length >= want && thin.train.length < want + largest, `${fraction}: kept ${thin.train.length} of ${split.train.length}`);
    const all = new Set(ids(split.train));
    assert.ok(ids(thin.train).every((id) => all.has(id)), "only train runs are kept");
    const kept = new Set(ids(thin.train));
    for (const [key, g] of relatedGroups(split.train)) {
      assert.ok(g.every((e) => kept.has(e.runId)) || g.every((e) => !kept.has(e.runId)), `group ${key} kept or dropped whole`);
    }
    assert.match(thin.description, new RegExp(`thinned to ${Math.round(100 * fraction)}%`));
    assert.deepEqual(ids(thinTrainSide(split, fraction, 5).train), ids(thin.train), "deterministic");
  }
  assert.notDeepEqual(ids(thinTrainSide(split, 0.5, 5).train), ids(thinTrainSide(split, 0.5, 6).train), "another seed, another draw");
  const smaller = new Set(ids(thinTrainSide(split, 0.25, 5).train));
  assert.ok(ids(thinTrainSide(split, 0.25, 5).train).length < thinTrainSide(split, 0.5, 5).train.length && smaller.size > 0);
  assert.equal(thinTrainSide(split, 1, 5), split, "the whole train side at 1");
  for (const bad of [0, -0.5, 1.5, NaN]) assert.throws(() => thinTrainSide(split, bad), /train fraction must lie in \(0, 1\]/);
});

test("an evaluation with a train fraction fits on the thinned side and reports it", async () => {
  const ex = examples();
  const fitted: number[] = [];
  const knn = new NearestNeighboursPredictor();
  const spy: Predictor = {
    name: "spy",
    fit: async (train) => {
      fitted.push(train.length);
      await knn.fit(train);
    },
    predict: (qs: Query[]) => knn.predict(qs),
  };
  const full = await evaluatePredictors(ex, [spy], { splits: ["random"], seed: 2 });
  const half = await evaluatePredictors(ex, [spy], { splits: ["random"], seed: 2, trainFraction: 0.5 });
  assert.equal(full.trainFraction, 1);
  assert.equal(half.trainFraction, 0.5);
  assert.equal(half.splits[0]!.nTest, full.splits[0]!.nTest, "scored on the same test side");
  assert.equal(half.splits[0]!.nTrain, fitted[1]);
  assert.ok(fitted[1]! < 0.7 * fitted[0]! && fitted[1]! >= 0.5 * fitted[0]!, `fitted on ${fitted[1]} of ${fitted[0]} runs`);
});
