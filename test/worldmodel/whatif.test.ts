// What-if on the synthetic map, whose effects are known: widening the MLP lowers the
// final loss; raising an already-large learning rate raises it. The predicted change
// has the right sign with an interval that excludes zero; invalid changes are refused.

import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { WorldModel } from "../../src/worldmodel/model.js";
import { InvalidConfigError, whatIf } from "../../src/worldmodel/whatif.js";
import { syntheticConfig, syntheticExamples, trueFinal } from "./synthetic.js";

describe("whatIf", () => {
  const model = new WorldModel({ members: 4, hidden: [48, 48], steps: 700, batchSize: 64, lr: 3e-3, seed: 5, evalEvery: 50 });
  before(async () => {
    await model.fit(syntheticExamples({ n: 220, seed: 7, noise: 0.03 }));
  });

  it("predicts that a wider model reaches a lower final loss", () => {
    const r = whatIf(model, syntheticConfig(1e-3, 16), ["model.children[0].width=x4"]);
    const truth = trueFinal(1e-3, 64) - trueFinal(1e-3, 16);
    assert.ok(r.effects.testLoss.change < 0 && r.effects.testLoss.interval80[1] < 0, JSON.stringify(r.effects.testLoss));
    assert.ok(Math.abs(r.effects.testLoss.change - truth) < 0.3, `change ${r.effects.testLoss.change} vs ${truth}`);
    assert.equal(r.effects.testAcc, null); // teacher-student is a regression task
    assert.equal((r.changed.config as { model: { children: { width: number }[] } }).model.children[0]!.width, 64);
    assert.notEqual(r.base.id, r.changed.id);
    assert.ok(r.base.support.neighbours > 0);
  });

  it("predicts that a too-large learning rate gets worse when raised", () => {
    const r = whatIf(model, syntheticConfig(3e-3, 32), [{ path: "train.lr", op: "mul", value: 5 }]);
    assert.ok(r.effects.testLoss.change > 0 && r.effects.testLoss.interval80[0] > 0, JSON.stringify(r.effects.testLoss));
    assert.ok(r.changed.prediction.events.diverged > r.base.prediction.events.diverged);
  });

  it("refuses a change that makes the config invalid", () => {
    assert.throws(() => whatIf(model, syntheticConfig(1e-3, 16), ["train.lr=-1"]), InvalidConfigError);
  });
});
