// The pair loss of the ensemble's training: rows of one sweep (group) form
// pairs, forks and lone rows do not; the loss is the weighted squared error of
// the predicted difference between the two rows of each pair, checked against a
// hand computation; and a model trained with it on sweeps is deterministic.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../src/engine/index.js";
import { pairLoss, rankLoss, rankTargets, rowGroups } from "../../src/worldmodel/pair-loss.js";
import type { TrainRow } from "../../src/worldmodel/ensemble-train.js";
import { CURVE_OUTPUTS } from "../../src/worldmodel/ensemble.js";
import { WorldModel } from "../../src/worldmodel/model.js";
import { syntheticExamples } from "./synthetic.js";

const row = (group: string | null, fork = false): TrainRow => ({
  x: new Float32Array(2), y: new Float64Array(CURVE_OUTPUTS), events: new Uint8Array(1), group,
  forcedPrefix: fork ? { values: new Float64Array(CURVE_OUTPUTS), cutoff: 3 } : null,
});

/**
 * Reference per-member sums of term(mu_b - mu_a, member, pair, point) over the
 * pairs of outputs [P, B, OUT] (rows B-2Q..B-Q-1 against B-Q..B-1, as the losses pair them).
 */
function sumOverPairs(out: Float32Array, [P, B, Q, OUT]: number[], term: (dMu: number, p: number, q: number, j: number) => number): number[] {
  return Array.from({ length: P! }, (_, p) => {
    let sum = 0;
    for (let q = 0; q < Q!; q++) {
      const [a, b] = [B! - 2 * Q! + q, B! - Q! + q];
      for (let j = 0; j < CURVE_OUTPUTS; j++) sum += term(out[(p * B! + b) * OUT! + j]! - out[(p * B! + a) * OUT! + j]!, p, q, j);
    }
    return sum;
  });
}

test("groups: rows of one group with a partner; forks and lone rows are left out", () => {
  const g = rowGroups([row("a"), row("b"), row("a"), row(null), row("a", true), row("c"), row("c")]);
  assert.deepEqual(g.rows, [0, 2, 5, 6]);
  assert.deepEqual(g.members.get(2), [0, 2]);
  assert.deepEqual(g.members.get(6), [5, 6]);
  assert.equal(g.members.has(1), false);
});

test("groups by another key: rows of one task family", () => {
  const rows = [row("s1"), row(null), row("s2"), row(null)].map((r, i) => ({ ...r, family: i % 2 ? "dyck" : "sequence" }));
  const g = rowGroups(rows, (r) => r.family);
  assert.deepEqual([...g.rows].sort(), [0, 1, 2, 3]);
  assert.deepEqual(g.members.get(2), [0, 2]);
  assert.deepEqual(g.members.get(3), [1, 3]);
});

test("pair loss = sum of w * ((mu_b - mu_a) - (y_b - y_a))^2 per member", () => {
  const engine = new Engine();
  const [P, B, Q, OUT] = [2, 5, 2, 2 * CURVE_OUTPUTS + 3];
  const out = Float32Array.from({ length: P * B * OUT }, (_, i) => Math.sin(i));
  const y = Float32Array.from({ length: P * B * CURVE_OUTPUTS }, (_, i) => Math.cos(i));
  const w = Float32Array.from({ length: P * Q * CURVE_OUTPUTS }, (_, i) => (i % 3) / 7);
  const got = engine.noGrad(() => pairLoss(engine.tensor(out, [P, B, OUT]), engine.tensor(y, [P, B, CURVE_OUTPUTS]), engine.tensor(w, [P, Q, CURVE_OUTPUTS]), B, Q).toFloat32());
  const want = sumOverPairs(out, [P, B, Q, OUT], (dMu, p, q, j) => {
    const [a, b] = [B - 2 * Q + q, B - Q + q];
    const dY = y[(p * B + b) * CURVE_OUTPUTS + j]! - y[(p * B + a) * CURVE_OUTPUTS + j]!;
    return w[(p * Q + q) * CURVE_OUTPUTS + j]! * (dMu - dY) ** 2;
  });
  want.forEach((v, p) => assert.ok(Math.abs(got[p]! - v) < 1e-4 * Math.max(1, v), `member ${p}: ${got[p]} vs ${v}`));
});

test("rank loss = sum of w * softplus(-sign * (mu_b - mu_a) / tau) per member, stable far from 0", () => {
  const engine = new Engine();
  const [P, B, Q, OUT, tau] = [2, 5, 2, 2 * CURVE_OUTPUTS + 3, 0.1];
  // differences up to ~40 / tau = 400: a naive log(1 + exp(x)) would overflow float32
  const out = Float32Array.from({ length: P * B * OUT }, (_, i) => 20 * Math.sin(i));
  const sign = Float32Array.from({ length: P * Q * CURVE_OUTPUTS }, (_, i) => [1, -1, 0][i % 3]!);
  const w = Float32Array.from({ length: P * Q * CURVE_OUTPUTS }, (_, i) => (i % 5) / 11);
  const got = engine.noGrad(() => rankLoss(engine.tensor(out, [P, B, OUT]), engine.tensor(sign, [P, Q, CURVE_OUTPUTS]), engine.tensor(w, [P, Q, CURVE_OUTPUTS]), B, Q, tau).toFloat32());
  const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  const want = sumOverPairs(out, [P, B, Q, OUT], (dMu, p, q, j) => {
    const k = (p * Q + q) * CURVE_OUTPUTS + j;
    return w[k]! * softplus((-sign[k]! * dMu) / tau);
  });
  want.forEach((v, p) => assert.ok(Number.isFinite(got[p]!) && Math.abs(got[p]! - v) < 1e-4 * Math.max(1, v), `member ${p}: ${got[p]} vs ${v}`));
});

test("rank targets: the sign of each difference, weights by its size summing to the weight", () => {
  const a = row("s"), b = row("s");
  a.y.fill(0);
  b.y.forEach((_, j) => (b.y[j] = j % 4 === 0 ? NaN : j % 2 ? 0.5 : -0.25));
  const sign = new Float32Array(CURVE_OUTPUTS + 3), w = new Float32Array(CURVE_OUTPUTS + 3);
  rankTargets([a], [b], 2, sign, w, 3);
  assert.deepEqual([...sign.subarray(3, 7)], [0, 1, -1, 1]);
  assert.equal(w[3], 0, "an unobserved point weighs nothing");
  assert.ok(Math.abs(w[4]! / w[5]! - 2) < 1e-6, "twice the difference, twice the weight");
  assert.ok(Math.abs(w.reduce((s, v) => s + v, 0) - 2) < 1e-5);
});

test("a model trained with the pair loss on sweeps is deterministic, finite, and differs from one without", async () => {
  const examples = syntheticExamples({ n: 90, seed: 4 }).map((e, i) => ({ ...e, sweepId: `s${Math.floor(i / 3)}` }));
  const fit = { members: 2, hidden: [16], steps: 40, batchSize: 32, pairFraction: 0.25, pairWeight: 10, seed: 2, evalEvery: 20 };
  const [a, b] = [new WorldModel(fit), new WorldModel(fit)];
  await a.fit(examples);
  await b.fit(examples);
  const q = examples.slice(0, 4).map((e) => ({ config: e.config }));
  const [pa, pb] = [await a.predict(q), await b.predict(q)];
  assert.deepEqual(pa, pb);
  assert.ok(pa.every((p) => p.curves.test_loss.mean.every(Number.isFinite)));
  const without = new WorldModel({ ...fit, pairWeight: 0 });
  await without.fit(examples);
  assert.notDeepEqual(await without.predict(q), pa, "the pairs took part in training");
  const sweepsOnly = new WorldModel({ ...fit, familyPairShare: 0 });
  await sweepsOnly.fit(examples);
  assert.notDeepEqual(await sweepsOnly.predict(q), pa, "pairs within a family took part too");
});
