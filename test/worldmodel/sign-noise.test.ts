// Sign noise: sweeps run under two seeds score one seed's intervention effects as
// the prediction of the other's. Checked against synthetic sweeps whose expected
// effects are known: no noise agrees always, pure noise is a coin flip, and in
// between the quoted ceiling comes within 0.03 of the sign accuracy of a
// predictor that knows the expected effects, scored by the same rules (measured:
// 0.883 vs 0.882 at run noise 0.1, 0.678 vs 0.663 at 0.3).

import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng, Stream } from "../../src/engine/index.js";
import { signAccuracy } from "../../src/worldmodel/pairs.js";
import { signCeiling, signNoise } from "../../src/worldmodel/sign-noise.js";
import { CURVE_FRACTIONS, CURVE_POINTS, type Example } from "../../src/worldmodel/types.js";
import { curveAt, lossExample, syntheticConfig, trueFinal } from "./synthetic.js";

// expected final losses 1.125, 0.52, 0.125, 0.02, 0.719 (x signal): every pair at least 0.1 apart
const LRS = [1e-4, 3e-4, 1e-3, 2e-3, 5e-2];

interface SweepRun extends Example {
  /** the noiseless final log10 test loss */
  expected: number;
}

/** `sweeps` lr sweeps at random widths, each under `seeds` seeds; final = signal * trueFinal + noise * N(0, 1). */
function sweeps(count: number, seeds: number, signal: number, noise: number): SweepRun[] {
  const rng = new Rng(9, Stream.data);
  const out: SweepRun[] = [];
  for (let s = 0; s < count; s++) {
    const width = [8, 16, 32, 64, 128][rng.int(5)]!;
    for (let seed = 0; seed < seeds; seed++) {
      for (const lr of LRS) {
        const expected = signal * trueFinal(lr, width);
        const test = Float64Array.from(CURVE_FRACTIONS, (f) => curveAt(expected + noise * rng.normal(), f));
        const run = lossExample({
          runId: `s${s}-${seed}-${lr}`, configId: `c${s}-${seed}-${lr}`, family: "teacher-student", config: syntheticConfig(lr, width, seed), test, sweepId: `sweep-${s}`,
        });
        out.push({ ...run, expected });
      }
    }
  }
  return out;
}

/** The sign accuracy of the expected effects on the first seed's pairs (what a perfect predictor scores). */
function perfectAccuracy(runs: readonly SweepRun[]): number {
  const deltas: { actual: number; predicted: number }[] = [];
  const first = runs.filter((r) => r.runId.split("-")[1] === "0");
  for (const sweep of new Set(first.map((r) => r.sweepId))) {
    const points = first.filter((r) => r.sweepId === sweep);
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) {
        const last = CURVE_POINTS - 1;
        deltas.push({ actual: points[j]!.curves.test_loss[last]! - points[i]!.curves.test_loss[last]!, predicted: points[j]!.expected - points[i]!.expected });
      }
    }
  }
  return signAccuracy(deltas).value;
}

test("sign ceiling: two independent signs of accuracy a agree with a^2 + (1 - a)^2", () => {
  for (const a of [0.5, 0.7, 0.9, 1]) assert.ok(Math.abs(signCeiling(a * a + (1 - a) * (1 - a)) - a) < 1e-12, `${a}`);
  assert.equal(signCeiling(0.3), 0.5, "agreement below chance is chance");
  assert.ok(Number.isNaN(signCeiling(NaN)));
});

test("sign noise: no noise agrees always, pure noise is a coin flip", () => {
  const clean = signNoise(sweeps(40, 2, 1, 0));
  assert.equal(clean.sweeps, 40);
  // 10 pairs per sweep and seed, all with effects well above SIGN_NOISE, scored both ways
  assert.equal(clean.pairs, 40 * 10 * 2);
  assert.equal(clean.agreement, 1);
  assert.equal(clean.ceiling, 1);
  assert.deepEqual(clean.knobs, { "train.lr": { value: 1, n: 40 * 10 * 2 } }, "every pair turns the learning rate");

  const pure = signNoise(sweeps(200, 2, 0, 0.2));
  assert.ok(pure.pairs > 3000, `${pure.pairs} pairs above the noise threshold`);
  assert.ok(Math.abs(pure.agreement - 0.5) < 0.04, `coin flip: ${pure.agreement}`);
});

test("sign noise: the ceiling comes close to a perfect predictor's sign accuracy", () => {
  for (const noise of [0.1, 0.3]) {
    const runs = sweeps(300, 2, 0.3, noise);
    const measured = signNoise(runs);
    const perfect = perfectAccuracy(runs);
    assert.ok(measured.agreement < perfect, `one noisy seed (${measured.agreement}) is a worse predictor than the expected effect (${perfect})`);
    assert.ok(Math.abs(measured.ceiling - perfect) < 0.03, `noise ${noise}: ceiling ${measured.ceiling} vs perfect ${perfect}`);
  }
});

test("sign noise: sweeps under one seed, runs outside sweeps and forks are not counted", () => {
  const one = sweeps(10, 1, 1, 0.1);
  assert.deepEqual(signNoise(one), { sweeps: 0, pairs: 0, agreement: NaN, ceiling: NaN, knobs: {} });
  const outside = sweeps(10, 2, 1, 0.1).map((e) => ({ ...e, sweepId: null }));
  assert.equal(signNoise(outside).sweeps, 0);
  const forked = sweeps(10, 2, 1, 0.1).map((e) => (e.runId.split("-")[1] === "1" ? { ...e, fork: { parentRunId: "x", forkStep: 300 } } : e));
  assert.equal(signNoise(forked).sweeps, 0, "a fork is not a seed replicate");
  // a replicate that misses a point leaves that point's pairs out of the other seed's scoring
  const partial = sweeps(1, 2, 1, 0).filter((e) => e.runId !== "s0-1-0.05");
  assert.equal(signNoise(partial).pairs, 6 + 6, "4 shared points: 6 pairs each way");
});
