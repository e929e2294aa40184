// The runs a world-model fit holds out: disjoint slices for early stopping and
// calibration, calibration by whole groups of related runs, nothing held out of
// a small store, the same slices for the same seed.

import { test } from "node:test";
import assert from "node:assert/strict";
import { MIN_RUNS_TO_HOLD_OUT, splitHeldOut } from "../../src/worldmodel/held-out.js";
import { syntheticExamples } from "./synthetic.js";

test("held-out slices: disjoint, complete, calibration by whole sweeps, deterministic", () => {
  const runs = syntheticExamples({ n: 400, seed: 2 });
  runs.forEach((e, i) => (e.sweepId = i < 200 ? `s${Math.floor(i / 5)}` : null));
  const s = splitHeldOut(runs, 7, 0.2);
  assert.equal(s.train.length + s.stop.length + s.calibrate.length, runs.length);
  assert.equal(new Set([...s.train, ...s.stop, ...s.calibrate]).size, runs.length);
  for (const [name, n] of [["stop", s.stop.length], ["calibrate", s.calibrate.length]] as const) {
    assert.ok(n > 0.04 * runs.length && n < 0.18 * runs.length, `${name}: ${n} of ${runs.length}`);
  }
  const calibrated = new Set(s.calibrate);
  for (const sweep of new Set(runs.map((e) => e.sweepId).filter(Boolean))) {
    const members = runs.filter((e) => e.sweepId === sweep);
    const held = members.filter((e) => calibrated.has(e)).length;
    assert.ok(held === 0 || held === members.length, `sweep ${sweep} split ${held}/${members.length}`);
  }
  assert.deepEqual(splitHeldOut(runs, 7, 0.2), s);
  assert.notDeepEqual(splitHeldOut(runs, 8, 0.2).stop, s.stop, "another seed holds out other runs");
});

test("a store smaller than MIN_RUNS_TO_HOLD_OUT is trained on whole", () => {
  const runs = syntheticExamples({ n: MIN_RUNS_TO_HOLD_OUT - 1, seed: 3 });
  const s = splitHeldOut(runs, 0, 0.2);
  assert.equal(s.train.length, runs.length);
  assert.deepEqual([s.stop.length, s.calibrate.length], [0, 0]);
});
