// Examples from curves: resampling at CURVE_FRACTIONS (log-step interpolation,
// log10 losses, NaN after divergence), events from the status and the detectors,
// fork prefixes re-gridded onto the child's steps, and loading from a store.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LOSS_FLOOR, exampleFromCurves, forkObserved, loadExamples, pointStep, resampleCurve } from "../../src/worldmodel/examples.js";
import { CURVE_FRACTIONS, CURVE_POINTS } from "../../src/worldmodel/types.js";
import { openStore } from "../../src/store/index.js";
import { syntheticConfig } from "./synthetic.js";

/** A curve recorded at log-spaced steps 0..steps with value f(step). */
function recorded(steps: number, f: (s: number) => number, upTo = steps) {
  const at = [...new Set([0, ...Array.from({ length: 60 }, (_, i) => Math.round(steps ** (i / 59)))])].filter((s) => s <= upTo);
  return { steps: Int32Array.from(at), values: Float64Array.from(at, f) };
}

describe("resampleCurve", () => {
  it("hits recorded values exactly and interpolates linearly in log(1 + step)", () => {
    const c = recorded(1000, (s) => 2 + Math.log1p(s));
    const r = resampleCurve(c.steps, c.values, 1000);
    for (let k = 0; k < CURVE_POINTS; k++) assert.ok(Math.abs(r[k]! - (2 + Math.log1p(pointStep(k, 1000)))) < 1e-9, `point ${k}`);
  });

  it("gives log10 of losses and NaN after the last recorded step", () => {
    const c = recorded(1000, (s) => 10 / (1 + s), 100);
    const r = resampleCurve(c.steps, c.values, 1000, true);
    const k100 = CURVE_FRACTIONS.findIndex((f) => Math.round(f * 1000) > 100);
    assert.ok(k100 > 0);
    assert.ok(Math.abs(r[0]! - Math.log10(10 / (1 + pointStep(0, 1000)))) < 1e-9);
    for (let k = k100; k < CURVE_POINTS; k++) assert.ok(Number.isNaN(r[k]!));
  });

  it("floors losses at LOSS_FLOOR (float32 rounding below it), exactly zero included", () => {
    const c = recorded(1000, (s) => (s < 2 ? 1 : s < 500 ? 1e-9 : 0));
    const r = resampleCurve(c.steps, c.values, 1000, true);
    assert.equal(r[CURVE_POINTS - 4], Math.log10(LOSS_FLOOR), "1e-9 counts as the floor");
    assert.equal(r[CURVE_POINTS - 1], Math.log10(LOSS_FLOOR));
    assert.ok(r.every((v) => v >= Math.log10(LOSS_FLOOR)));
  });

  it("is NaN where the metric is undefined", () => {
    const c = recorded(500, () => NaN);
    assert.ok(resampleCurve(c.steps, c.values, 500).every(Number.isNaN));
  });
});

describe("exampleFromCurves", () => {
  const config = syntheticConfig(1e-3, 32);
  it("carries status, lineage and the detectors' events", () => {
    const loss = recorded(1000, (s) => 1 / (1 + s / 10));
    const diverged = exampleFromCurves({
      config, status: "diverged", divergedAt: 300, curves: { train_loss: recorded(1000, (s) => 1 + s, 300), test_loss: recorded(1000, (s) => 1 + s, 300) },
      lineage: { parentRunId: "p1", forkStep: 50 },
    });
    assert.equal(diverged.events.diverged, 1);
    assert.deepEqual(diverged.fork, { parentRunId: "p1", forkStep: 50 });
    assert.ok(Number.isNaN(diverged.curves.test_loss[CURVE_POINTS - 1]!));
    assert.ok(diverged.paramCount > 0);
    const fine = exampleFromCurves({ config, status: "completed", curves: { train_loss: loss, test_loss: loss } });
    assert.equal(fine.events.diverged, 0);
    assert.equal(fine.family, "teacher-student");
    assert.equal(fine.steps, 1000);
    assert.ok(fine.configId.length > 0);
    assert.ok(fine.curves.train_acc.every(Number.isNaN));
  });
});

describe("forkObserved", () => {
  it("re-grids the parent's curve up to the fork step onto the child's steps", () => {
    const parent = exampleFromCurves({ config: syntheticConfig(1e-3, 32), status: "completed", curves: { test_loss: recorded(1000, (s) => 10 ** -Math.log1p(s)) } });
    const obs = forkObserved(parent, 200, 2000);
    assert.equal(obs.upToFraction, 0.1);
    for (let k = 0; k < CURVE_POINTS; k++) {
      const s = pointStep(k, 2000);
      if (s > 200) assert.ok(Number.isNaN(obs.curves.test_loss![k]!));
      else assert.ok(Math.abs(obs.curves.test_loss![k]! - -Math.log1p(s)) < 0.05, `point ${k}: ${obs.curves.test_loss![k]} vs ${-Math.log1p(s)}`);
    }
  });
});

describe("loadExamples", () => {
  it("loads finished runs with their curves and skips unfinished ones", async () => {
    const store = await openStore(":memory:");
    try {
      const curves = { train_loss: recorded(1000, (s) => 1 / (1 + s)), test_loss: recorded(1000, (s) => 2 / (1 + s)) };
      for (let i = 0; i < 5; i++) {
        await store.insertFinished({ configId: `c${i}`, config: syntheticConfig(1e-3 * (i + 1), 32, i), family: "teacher-student" },
          { status: i === 4 ? "diverged" : "completed", divergedAt: i === 4 ? 500 : null, wallSeconds: 1, paramCount: 100, curves });
      }
      await store.enqueue([{ configId: "q", config: syntheticConfig(1e-3, 32), family: "teacher-student" }]);
      const examples = await loadExamples(store, { batchSize: 2 });
      assert.equal(examples.length, 5);
      assert.equal(new Set(examples.map((e) => e.runId)).size, 5);
      assert.equal(examples.filter((e) => e.events.diverged).length, 1);
      assert.ok(examples.every((e) => e.paramCount === 100 && Math.abs(e.curves.test_loss[CURVE_POINTS - 1]! - Math.log10(2 / 1001)) < 1e-9));
      assert.equal((await loadExamples(store, { limit: 3 })).length, 3);
    } finally {
      await store.close();
    }
  });
});
