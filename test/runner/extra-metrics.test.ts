// The optional metrics: Jacobi eigenvalues, effective rank, and the sharpness power
// iteration against the exact Hessian of a linear least-squares model.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine, Rng } from "../../src/engine/index.js";
import { buildModel } from "../../src/universe/model.js";
import type { TaskSpec } from "../../src/universe/tasks/family.js";
import { SharpnessTracker, effectiveRank, symmetricEigenvalues } from "../../src/runner/extra-metrics.js";
import { validateExperiment } from "../../src/universe/config/validate.js";
import { trainPopulation } from "../../src/runner/train.js";

test("Jacobi eigenvalues of a symmetric matrix", () => {
  const e = [...symmetricEigenvalues(Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, 5]), 3)].sort((a, b) => a - b);
  [1, 3, 5].forEach((v, i) => assert.ok(Math.abs(e[i]! - v) < 1e-9, `${e}`));
});

test("effective rank: n for an orthogonal matrix, 1 for a rank-one matrix", () => {
  const eye = new Float32Array(16).map((_, i) => (i % 5 === 0 ? 1 : 0));
  assert.ok(Math.abs(effectiveRank(eye, 4, 4) - 4) < 1e-6);
  const outer = Float32Array.from({ length: 12 }, (_, i) => (Math.floor(i / 4) + 1) * ((i % 4) + 1));
  assert.ok(Math.abs(effectiveRank(outer, 3, 4) - 1) < 1e-3);
});

test("sharpness of least squares equals the top eigenvalue of its exact Hessian", () => {
  const engine = new Engine();
  const spec: TaskSpec = { input: { kind: "vector", dim: 3 }, output: { kind: "regression", dim: 1 }, loss: "mse", metrics: ["loss"] };
  const model = buildModel(engine, { unit: "readout" }, spec, { members: 2, initSeeds: [1, 2], initScales: [1, 1] });
  const n = 32;
  const rng = new Rng(5, 0);
  const xs = Float32Array.from({ length: 2 * n * 3 }, (_, i) => (i < n * 3 ? 1 : 2.5) * rng.normal());
  const x = engine.keep(engine.tensor(xs, [2, n, 3]));
  const y = engine.keep(engine.tensor(Float32Array.from({ length: 2 * n }, () => rng.normal()), [2, n, 1]));
  const measured = new SharpnessTracker().measure(engine, model, [{ x, y, n }]);
  for (let m = 0; m < 2; m++) {
    // L = mean((x.w + b - y)^2): H = (2/n) sum [x 1]^T [x 1]
    const h = new Float64Array(16);
    for (let r = 0; r < n; r++) {
      const row = [xs[(m * n + r) * 3]!, xs[(m * n + r) * 3 + 1]!, xs[(m * n + r) * 3 + 2]!, 1];
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) h[i * 4 + j] = h[i * 4 + j]! + (2 / n) * row[i]! * row[j]!;
    }
    const top = Math.max(...symmetricEigenvalues(h, 4));
    assert.ok(Math.abs(measured[m]! - top) / top < 1e-2, `member ${m}: ${measured[m]} vs ${top}`);
  }
  model.dispose();
});

test("a run with the optional metrics records sharpness, norms and effective ranks", () => {
  const v = validateExperiment({
    task: { family: "teacher-student", inputDim: 4, trainSize: 64, testSize: 64 },
    model: { unit: "sequential", children: [{ unit: "mlp", width: 8, depth: 1, activation: "tanh" }, { unit: "readout" }] },
    train: { optimizer: "sgd", momentum: 0, lr: 0.05, batchSize: "full", steps: 10, evalPoints: 4 },
    log: { sharpness: true, layerNorms: true, effectiveRank: true },
  });
  assert.ok(v.ok);
  const [r] = trainPopulation(new Engine(), [v.config]);
  const names = Object.keys(r!.curves);
  assert.ok(names.includes("sharpness"));
  assert.ok(names.some((k) => k.startsWith("norm:")) && names.some((k) => k.startsWith("erank:")), names.join(","));
  assert.ok(r!.curves.sharpness!.every((s) => Number.isFinite(s) && s > 0));
});
