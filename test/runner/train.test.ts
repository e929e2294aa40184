// The population trainer: a population equals its members trained alone, a fork
// from a checkpoint continues exactly and keeps its lineage's divergence
// reference, divergence is caught per member, and the evaluation steps are
// log-spaced.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../src/engine/index.js";
import { validateExperiment } from "../../src/universe/config/validate.js";
import type { Experiment } from "../../src/universe/config/experiment.js";
import { decodeState, encodeState, withDivergenceReference } from "../../src/runner/checkpoint.js";
import { evalSteps } from "../../src/runner/schedule.js";
import { trainPopulation } from "../../src/runner/train.js";
import type { MemberResult } from "../../src/runner/record.js";

function experiment(overrides: { train?: object; task?: object; log?: object } = {}): Experiment {
  const v = validateExperiment({
    task: { family: "gaussian-mixture", dim: 6, classes: 3, trainSize: 128, testSize: 128, ...overrides.task },
    model: { unit: "sequential", children: [{ unit: "mlp", width: 16, depth: 1, activation: "tanh" }, { unit: "readout" }] },
    train: { optimizer: "adam", lr: 0.01, batchSize: 32, steps: 40, evalPoints: 12, evalExamples: 64, ...overrides.train },
    log: overrides.log ?? {},
  });
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return v.config;
}

/** Curves without wall time, which differs between runs. */
function dynamics(r: MemberResult): unknown {
  const { wall_time: _wall, ...rest } = r.curves;
  return { status: r.status, divergedAt: r.divergedAt, curves: rest };
}

test("log-spaced evaluation steps include the first and last step", () => {
  const s = evalSteps(10_000, 150);
  assert.equal(s[0], 0);
  assert.equal(s[s.length - 1], 10_000);
  assert.ok(s.length > 100 && s.length <= 151, `${s.length} points`);
  assert.ok(s.every((v, i) => i === 0 || v > s[i - 1]!));
  assert.deepEqual(evalSteps(3, 150), [0, 1, 2, 3]);
});

test("a population records each member exactly as if it trained alone", () => {
  const engine = new Engine();
  const configs = [
    experiment({ train: { seed: 1, lr: 0.01 } }),
    experiment({ train: { seed: 2, lr: 0.03, weightDecay: 0.01 }, task: { seed: 5 } }),
    experiment({ train: { seed: 3, lr: 0.003, initScale: 0.5 } }),
  ];
  const together = trainPopulation(engine, configs);
  configs.forEach((c, m) => {
    const [alone] = trainPopulation(engine, [c]);
    assert.deepEqual(dynamics(together[m]!), dynamics(alone!), `member ${m}`);
  });
  const r = together[0]!;
  assert.equal(r.status, "completed");
  assert.ok(r.curves.train_loss[r.curves.train_loss.length - 1]! < r.curves.train_loss[0]!, "the loss falls");
  assert.ok(r.curves.test_acc.every((a) => a >= 0 && a <= 1));
  assert.ok(Number.isFinite(r.curves.grad_norm[0]!) && Number.isNaN(r.curves.grad_norm.at(-1)!));
});

test("a fork from a checkpoint continues bitwise like the original run", () => {
  const engine = new Engine();
  const config = experiment({ log: { checkpoints: [17] } });
  let saved: Uint8Array | null = null;
  const [original] = trainPopulation(engine, [config], { onCheckpoint: (_m, step, state) => step === 17 && (saved = state) });
  assert.ok(saved, "a checkpoint was taken at step 17");
  const state = decodeState(saved!);
  assert.equal(state.step, 17);
  const [resumed] = trainPopulation(engine, [config], { resume: [state] });
  const from = original!.curves.step.indexOf(resumed!.curves.step.find((s) => s > 17)!);
  const tail = (r: MemberResult, start: number) => r.curves.train_loss.slice(start);
  const resumedFrom = resumed!.curves.step.indexOf(original!.curves.step[from]!);
  assert.deepEqual(tail(resumed!, resumedFrom), tail(original!, from));
  assert.equal(resumed!.curves.step[0], 17);
});

test("a fork keeps its lineage's divergence reference (the first training loss), not the loss where it resumes", () => {
  const engine = new Engine();
  const config = experiment({ log: { checkpoints: [0, 17] } });
  const saved = new Map<number, Uint8Array>();
  trainPopulation(engine, [config], { onCheckpoint: (_m, step, state) => saved.set(step, state) });
  assert.equal(decodeState(saved.get(0)!).firstLoss, undefined, "before the first step there is no reference yet");
  const state = decodeState(saved.get(17)!);
  assert.ok(state.firstLoss! > 0.5 && state.firstLoss! < 5, `the untrained loss of 3 classes: ${state.firstLoss}`);
  const [kept] = trainPopulation(engine, [config], { resume: [state] });
  assert.equal(kept!.status, "completed");
  // the reference comes from the state: a tiny one makes the first resumed step diverge
  const [tiny] = trainPopulation(engine, [config], { resume: [{ ...state, firstLoss: 1e-9 }] });
  assert.equal(tiny!.status, "diverged");
  assert.equal(tiny!.divergedAt, 17);
  // an older blob without one measures it at the resume step, as before
  const { firstLoss: _dropped, ...older } = state;
  assert.equal(trainPopulation(engine, [config], { resume: [older] })[0]!.status, "completed");
});

test("a stored state without a divergence reference gets the parent's first recorded train loss", async () => {
  const engine = new Engine();
  const config = experiment({ log: { checkpoints: [17] } });
  let saved: Uint8Array | null = null;
  const [parent] = trainPopulation(engine, [config], { onCheckpoint: (_m, step, state) => step === 17 && (saved = state) });
  const { firstLoss: _reference, ...older } = decodeState(saved!);
  const olderBytes = encodeState(older);
  const patched = decodeState(await withDivergenceReference(olderBytes, async () => parent!.curves.train_loss));
  assert.equal(patched.firstLoss, parent!.curves.train_loss[0]);
  assert.equal(patched.step, 17);
  assert.deepEqual(patched.params, older.params);
  assert.deepEqual(patched.state, older.state);
  // a state with a reference is returned as it is, without loading the parent's curve
  let loaded = false;
  assert.equal(await withDivergenceReference(saved!, async () => ((loaded = true), [1])), saved);
  assert.equal(loaded, false);
  // without a finite first loss nothing changes
  assert.equal(await withDivergenceReference(olderBytes, async () => undefined), olderBytes);
  assert.equal(await withDivergenceReference(olderBytes, async () => [NaN]), olderBytes);
});

test("a diverging member ends as diverged with its step; the others complete", () => {
  const engine = new Engine();
  const results = trainPopulation(engine, [
    experiment({ train: { optimizer: "sgd", lr: 0.05, seed: 1 } }),
    experiment({ train: { optimizer: "sgd", lr: 90, seed: 1 } }),
  ]);
  assert.equal(results[0]!.status, "completed");
  assert.equal(results[1]!.status, "diverged");
  assert.ok(results[1]!.divergedAt! >= 0 && results[1]!.divergedAt! < 40);
  const last = results[1]!.curves.step.at(-1)!;
  assert.ok(last <= results[1]!.divergedAt!, "no points are recorded after divergence");
});
