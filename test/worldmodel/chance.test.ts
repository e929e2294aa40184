// Chance-level anchors of the world model: the loss and accuracy of a uniform
// guess from the task's spec (none for regression or an unknown family), written
// in normalized units; the rank term judges the order of anchored predictions;
// and a model fitted on runs stuck at chance predicts an unseen modulus's chance
// loss to within a hair, ranking moduli as their chance levels do.

import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../src/engine/index.js";
import { validateExperiment } from "../../src/universe/config/validate.js";
import { chanceAnchors, chanceLevel } from "../../src/worldmodel/chance.js";
import { rankLoss, rankTargets } from "../../src/worldmodel/pair-loss.js";
import type { TrainRow } from "../../src/worldmodel/ensemble-train.js";
import { CURVE_OUTPUTS } from "../../src/worldmodel/ensemble.js";
import { WorldModel } from "../../src/worldmodel/model.js";
import { CURVE_FRACTIONS, CURVE_POINTS, noEvents, type Example, type Prediction } from "../../src/worldmodel/types.js";
import { syntheticConfig } from "./synthetic.js";

function modAdd(p: number, lr: number, seed = 0): unknown {
  const v = validateExperiment({
    task: { family: "modular-arithmetic", p, trainFraction: 0.5, seed },
    model: { unit: "sequential", children: [{ unit: "embedding", dim: 16 }, { unit: "pooling", mode: "flatten" }, { unit: "mlp", width: 32 }, { unit: "readout" }] },
    train: { lr, steps: 500, seed },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return v.config;
}

describe("chance level", () => {
  it("is ln C and 1/C for a classification task, nothing for regression or an unknown family", () => {
    const level = chanceLevel(modAdd(97, 1e-3))!;
    assert.ok(Math.abs(level.log10Loss - Math.log10(Math.log(97))) < 1e-12);
    assert.ok(Math.abs(level.accuracy - 1 / 97) < 1e-12);
    assert.equal(chanceLevel(syntheticConfig(1e-3, 16)), null, "teacher-student is a regression task");
    assert.equal(chanceLevel({ task: { family: "someone-elses-task" } }), null);
    assert.equal(chanceLevel({ task: { family: "modular-arithmetic", p: "many" } }), null, "a spec that cannot be built has no chance level");
    assert.equal(chanceLevel(null), null);
  });

  it("is written in normalized units per metric (losses as log10), 0 without one", () => {
    const mean = [0.1, 0.2, 0.5, 0.4], std = [2, 2, 0.25, 0.5];
    const out = chanceAnchors(modAdd(13, 1e-3), mean, std, new Float64Array(6).fill(9), 1);
    const loss = Math.log10(Math.log(13));
    const want = [9, (loss - 0.1) / 2, (loss - 0.2) / 2, (1 / 13 - 0.5) / 0.25, (1 / 13 - 0.4) / 0.5, 9];
    want.forEach((w, i) => assert.ok(Math.abs(out[i]! - w) < 1e-12, `slot ${i}: ${out[i]} vs ${w}`));
    assert.deepEqual(Array.from(chanceAnchors(syntheticConfig(1e-3, 16), mean, std, new Float64Array(4))), [0, 0, 0, 0]);
  });
});

describe("rank term with anchors", () => {
  it("orders raw output + anchor, with the anchors' difference as shift", () => {
    const engine = new Engine();
    const row = (y: number, anchor: number): TrainRow => ({
      x: new Float32Array(1), y: new Float64Array(CURVE_OUTPUTS).fill(y), events: new Uint8Array(1), anchors: Float64Array.of(anchor, anchor, 0, 0),
    });
    const [P, B, Q, OUT] = [1, 2, 1, 2 * CURVE_OUTPUTS + 3];
    const sign = new Float32Array(CURVE_OUTPUTS), w = new Float32Array(CURVE_OUTPUTS), shift = new Float32Array(CURVE_OUTPUTS);
    // actual: the second row is higher; raw outputs say lower, but its anchor is higher by more
    rankTargets([row(0, 0)], [row(1, 2)], 1, sign, w, 0, shift);
    assert.equal(shift[0], 2);
    assert.equal(shift[CURVE_OUTPUTS - 1], 0, "accuracy points take their own anchors");
    const hiddenShift = new Float32Array(CURVE_OUTPUTS).fill(7);
    rankTargets([row(0, 0)], [row(1, 2)], 1, new Float32Array(CURVE_OUTPUTS), new Float32Array(CURVE_OUTPUTS), 0, hiddenShift, [true]);
    assert.ok(hiddenShift.every((v) => v === 0), "a pair shown without its family has no anchors");
    const out = new Float32Array(P * B * OUT);
    out[OUT] = -0.5; // the second row's raw output at point 0
    const loss = (s: Float32Array | null) => engine.noGrad(() => rankLoss(engine.tensor(out, [P, B, OUT]), engine.tensor(sign, [P, Q, CURVE_OUTPUTS]),
      engine.tensor(w, [P, Q, CURVE_OUTPUTS]), B, Q, 0.1, s ? engine.tensor(s, [P, Q, CURVE_OUTPUTS]) : null).toFloat32()[0]!);
    const softplus = (x: number) => Math.log1p(Math.exp(x));
    const reference = (withShift: boolean) => {
      let sum = 0;
      for (let j = 0; j < CURVE_OUTPUTS; j++) sum += w[j]! * softplus(-sign[j]! * (out[OUT + j]! - out[j]! + (withShift ? shift[j]! : 0)) / 0.1);
      return sum;
    };
    assert.ok(Math.abs(loss(shift) - reference(true)) < 1e-4, `${loss(shift)} vs ${reference(true)}`);
    assert.ok(Math.abs(loss(null) - reference(false)) < 1e-4);
    // point 0: with the shift the predicted difference is -0.5 + 2 = 1.5 (the right order), without it -0.5 (the wrong one)
    assert.ok(softplus(-1.5 / 0.1) < 1e-6 && softplus(0.5 / 0.1) > 5);
  });
});

describe("a model of runs stuck at chance", () => {
  const K = CURVE_POINTS - 1;
  const stuck = (p: number, i: number): Example => {
    const level = Math.log10(Math.log(p));
    const flat = new Float64Array(CURVE_POINTS).fill(level);
    const acc = new Float64Array(CURVE_POINTS).fill(1 / p);
    return {
      runId: `ch-${p}-${i}`, configId: `c${p}-${i}`, family: "modular-arithmetic", config: modAdd(p, 10 ** (-4 + 2 * ((i * 0.37) % 1)), i),
      steps: 500, paramCount: 0, curves: { train_loss: flat, test_loss: flat, train_acc: acc, test_acc: acc },
      events: noEvents(), fork: null, sweepId: null,
    };
  };
  const trainP = [5, 7, 11, 13, 17, 23, 29, 31, 41, 47, 53, 61, 71, 79, 89, 97];
  const newP = [19, 37, 59, 83];
  const model = new WorldModel({ members: 2, hidden: [16, 16], steps: 300, batchSize: 32, lr: 3e-3, seed: 1, evalEvery: 50, truncations: [] });
  let preds: Prediction[] = [];

  before(async () => {
    await model.fit(trainP.flatMap((p) => [0, 1, 2, 3].map((i) => stuck(p, i))));
    preds = await model.predict(newP.map((p) => ({ config: modAdd(p, 1e-3, 9) })));
  });

  it("predicts an unseen modulus's chance loss and ranks moduli by it", () => {
    assert.equal(model.meta.chanceAnchors, true);
    newP.forEach((p, i) => {
      const err = Math.abs(preds[i]!.curves.test_loss.mean[K]! - Math.log10(Math.log(p)));
      assert.ok(err < 0.01, `p ${p}: off by ${err.toFixed(4)} decades`);
    });
    const finals = preds.map((q) => q.curves.test_loss.mean[K]!);
    assert.deepEqual([...finals].sort((a, b) => a - b), finals, "larger moduli, higher chance loss");
  });

  it("departs from the last observed value, not the chance level, once a prefix is given", () => {
    const observed = new Float64Array(CURVE_POINTS).fill(NaN);
    for (let k = 0; k <= 4; k++) observed[k] = -1 - 0.1 * k;
    const { anchors } = model.inputRows([{ config: modAdd(37, 1e-3), observed: { upToFraction: CURVE_FRACTIONS[4]!, curves: { test_loss: observed } } }]);
    const s = model.trained;
    assert.ok(Math.abs(anchors[1]! - (-1.4 - s.targetMean[1]!) / s.targetStd[1]!) < 1e-9, "test loss: its last observed point");
    const chance = chanceAnchors(modAdd(37, 1e-3), s.targetMean, s.targetStd, new Float64Array(4));
    assert.ok(Math.abs(anchors[0]! - chance[0]!) < 1e-12, "train loss (not observed): its chance level");
  });
});
