// Seed noise: configs that differ only in seeds are grouped (forks and other
// changes are not), and the noise reference measures how far two seeds' final
// losses lie apart and how well they rank each other, against known noise.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng, Stream } from "../../src/engine/index.js";
import { noiseReference, replicateGroups } from "../../src/worldmodel/noise.js";
import { seedlessKey } from "../../src/worldmodel/pairs.js";
import { CURVE_FRACTIONS, CURVE_POINTS, type Example } from "../../src/worldmodel/types.js";
import { curveAt, lossExample, syntheticConfig, trueFinal } from "./synthetic.js";

/** configs x 2 seeds; final = signal * trueFinal + noise * N(0, 1) */
function replicated(configs: number, signal: number, noise: number): Example[] {
  const rng = new Rng(5, Stream.data);
  const out: Example[] = [];
  for (let c = 0; c < configs; c++) {
    const lr = 10 ** (-4 + 3 * rng.uniform());
    const width = [8, 16, 32, 64, 128][c % 5]!;
    for (const seed of [0, 1]) {
      const final = signal * trueFinal(lr, width) + noise * rng.normal();
      const test = Float64Array.from(CURVE_FRACTIONS, (f) => curveAt(final, f));
      const family = c % 2 ? "teacher-student" : "sparse-parity";
      out.push(lossExample({ runId: `r${c}-${seed}`, configId: `c${c}-${seed}`, family, config: syntheticConfig(lr, width, seed), test }));
    }
  }
  return out;
}

test("replicates: equal but for seeds; forks and other changes are not replicates", () => {
  assert.equal(seedlessKey(syntheticConfig(0.01, 16, 0)), seedlessKey(syntheticConfig(0.01, 16, 7)));
  assert.notEqual(seedlessKey(syntheticConfig(0.01, 16, 0)), seedlessKey(syntheticConfig(0.02, 16, 0)));
  const ex = replicated(6, 1, 0.05);
  assert.equal(replicateGroups(ex).length, 6);
  ex[1]!.fork = { parentRunId: "r0-0", forkStep: 300 };
  const groups = replicateGroups(ex);
  assert.equal(groups.length, 5, "a fork does not replicate its config's other run");
  assert.ok(groups.every((g) => g.length === 2 && g[0]!.runId.split("-")[0] === g[1]!.runId.split("-")[0]));
});

test("noise reference: the mean gap matches the seed noise, rank agreement follows signal over noise", () => {
  const noise = 0.05;
  const clean = noiseReference(replicated(200, 1, noise));
  assert.equal(clean.configs, 200);
  // |a - b| with a - b ~ N(0, 2 noise^2) has mean 2 noise / sqrt(pi)
  const expected = (2 * noise) / Math.sqrt(Math.PI);
  assert.ok(Math.abs(clean.maeFinal - expected) < 0.2 * expected, `mae ${clean.maeFinal} vs ${expected}`);
  assert.ok(clean.spearmanFinal > 0.95, `strong signal ranks well: ${clean.spearmanFinal}`);
  assert.equal(clean.families, 2);
  assert.deepEqual(Object.keys(clean.familySpearman), ["sparse-parity", "teacher-student"]);
  assert.deepEqual(Object.values(clean.familySpearman).map((v) => v.n), [100, 100], "configs per family");
  const rhos = Object.values(clean.familySpearman).map((v) => v.value);
  assert.ok(Math.abs(clean.spearmanFinalFamily - (rhos[0]! + rhos[1]!) / 2) < 1e-12, "the median of two families");
  assert.ok(Math.abs(clean.ceilingSpearmanFinal - Math.sqrt(clean.spearmanFinal)) < 1e-12);
  const pure = noiseReference(replicated(200, 0, noise));
  assert.ok(Math.abs(pure.spearmanFinal) < 0.2, `noise alone does not rank: ${pure.spearmanFinal}`);
  assert.ok(pure.spearmanFinalFamily < 0.3);

  const none = noiseReference(replicated(200, 1, noise).filter((e) => e.runId.endsWith("-0")));
  assert.equal(none.configs, 0);
  assert.ok(Number.isNaN(none.maeFinal) && Number.isNaN(none.spearmanFinalFamily));
  assert.deepEqual(none.familySpearman, {});
  // a diverged replicate (non-finite final) leaves the final-loss numbers but not the count
  const withDiverged = replicated(20, 1, noise);
  withDiverged[0]!.curves.test_loss[CURVE_POINTS - 1] = NaN;
  const d = noiseReference(withDiverged);
  assert.equal(d.configs, 20);
  assert.ok(Number.isFinite(d.maeFinal));
});
