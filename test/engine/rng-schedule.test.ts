// The counter-based RNG and the learning-rate schedules.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng, hash3, scheduleFactor } from "../../src/engine/index.js";

test("the RNG is a pure function of seed, stream and counter", () => {
  const a = new Rng(42, 1), b = new Rng(42, 1, 5);
  const first = Array.from({ length: 10 }, () => a.uniform());
  assert.equal(b.uniform(), first[5]);
  assert.notEqual(new Rng(42, 2).uniform(), first[0]);
  assert.notEqual(new Rng(43, 1).uniform(), first[0]);
  assert.equal(hash3(1, 2, 3), hash3(1, 2, 3));
});

test("uniform and normal draws have the right moments", () => {
  const r = new Rng(7, 0);
  const n = 200_000;
  let su = 0, sn = 0, sn2 = 0;
  for (let i = 0; i < n; i++) {
    su += r.uniform();
    const z = r.normal();
    sn += z;
    sn2 += z * z;
  }
  assert.ok(Math.abs(su / n - 0.5) < 0.005);
  assert.ok(Math.abs(sn / n) < 0.01);
  assert.ok(Math.abs(sn2 / n - 1) < 0.02);
  const p = new Rng(1, 0).permutation(100);
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
});

test("learning-rate schedules", () => {
  assert.equal(scheduleFactor({ kind: "constant" }, 1000), 1);
  assert.equal(scheduleFactor({ kind: "warmup", warmupSteps: 10 }, 0), 0.1);
  assert.equal(scheduleFactor({ kind: "warmup", warmupSteps: 10 }, 9), 1);
  assert.equal(scheduleFactor({ kind: "warmup", warmupSteps: 10 }, 50), 1);
  const cos = { kind: "cosine", totalSteps: 110, warmupSteps: 10, minFactor: 0.1 } as const;
  assert.equal(scheduleFactor(cos, 4), 0.5);
  assert.equal(scheduleFactor(cos, 10), 1);
  assert.ok(Math.abs(scheduleFactor(cos, 60) - 0.55) < 1e-12);
  assert.ok(Math.abs(scheduleFactor(cos, 110) - 0.1) < 1e-12);
  assert.ok(Math.abs(scheduleFactor({ kind: "step", stepSize: 10, gamma: 0.5 }, 25) - 0.25) < 1e-12);
});
