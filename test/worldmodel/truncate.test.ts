// Truncated copies of training runs: the premise (a run of S steps under a
// schedule that ignores the total passes through the states of a shorter run)
// checked by training both with the engine; the grid shift; which runs are not
// truncated; which event labels a copy keeps (divergence, and grokking where the
// run records accuracies); and that fit() trains on them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../src/engine/index.js";
import { trainPopulation } from "../../src/runner/train.js";
import { toRunCurves } from "../../src/runner/executor.js";
import { validateExperiment } from "../../src/universe/config/validate.js";
import { exampleFromCurves } from "../../src/worldmodel/examples.js";
import { WorldModel } from "../../src/worldmodel/model.js";
import { MIN_TRUNCATED_STEPS, TRUNCATION_SHIFTS, truncatable, truncatedCopies, truncatedExamples } from "../../src/worldmodel/truncate.js";
import { CURVE_METRICS, CURVE_POINTS, EVENT_KINDS, type Example } from "../../src/worldmodel/types.js";
import { syntheticExamples } from "./synthetic.js";

function run(engine: Engine, steps: number, schedule: object): Example {
  const v = validateExperiment({
    task: { family: "gaussian-mixture", dim: 6, classes: 3, trainSize: 256, testSize: 256 },
    model: { unit: "sequential", children: [{ unit: "mlp", width: 16, depth: 1, activation: "tanh" }, { unit: "readout" }] },
    train: { optimizer: "adam", lr: 0.01, batchSize: 32, steps, schedule, evalPoints: 150, evalExamples: 256 },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  const [r] = trainPopulation(engine, [v.config]);
  return exampleFromCurves({ config: v.config, status: r!.status as "completed", curves: toRunCurves(r!), paramCount: v.paramCount });
}

test("the first part of a run is the shorter run: truncation matches training the shorter run", () => {
  const engine = new Engine();
  const shift = 5;
  const long = run(engine, 1000, { kind: "warmup", warmupSteps: 20 });
  const [copy] = truncatedExamples(long, [shift]);
  assert.ok(copy);
  assert.equal(copy.steps, Math.round(1000 * 10 ** ((-2 * shift) / (CURVE_POINTS - 1))));
  const short = run(engine, copy.steps, { kind: "warmup", warmupSteps: 20 });
  for (const m of ["train_loss", "test_loss", "train_acc", "test_acc"] as const) {
    for (let k = 0; k < CURVE_POINTS; k++) {
      if (k < shift) assert.ok(Number.isNaN(copy.curves[m][k]!), `${m}[${k}] is before the original's first point`);
      // the two resample the same trajectory from different evaluation steps: equal up to interpolation
      else assert.ok(Math.abs(copy.curves[m][k]! - short.curves[m][k]!) < 0.03, `${m}[${k}]: ${copy.curves[m][k]} vs ${short.curves[m][k]}`);
    }
  }
  // under a cosine schedule the learning rate depends on the total: not truncated
  assert.deepEqual(truncatedExamples(run(engine, 200, { kind: "cosine" })), []);
});

test("truncated copies: shifted grid, shorter steps in the config, only completed non-fork runs", () => {
  const e = syntheticExamples({ n: 10, seed: 4 }).find((x) => !x.events.diverged);
  const copies = truncatedExamples(e!);
  assert.equal(copies.length, TRUNCATION_SHIFTS.length);
  copies.forEach((c, i) => {
    const d = TRUNCATION_SHIFTS[i]!;
    assert.equal((c.config as { train: { steps: number } }).train.steps, c.steps);
    assert.ok(c.steps < e!.steps && c.steps >= MIN_TRUNCATED_STEPS);
    assert.equal(c.runId, `${e!.runId}~${c.steps}`);
    for (const m of CURVE_METRICS) {
      for (let k = 0; k < CURVE_POINTS; k++) {
        if (k < d) assert.ok(Number.isNaN(c.curves[m][k]!));
        else assert.ok(Object.is(c.curves[m][k], e!.curves[m][k - d]), `${m}[${k}]`);
      }
    }
    assert.ok(Object.values(c.events).every((v) => v === 0));
  });
  assert.ok(truncatable(e!));
  assert.equal(truncatable({ ...e!, events: { ...e!.events, diverged: 1 } }), false, "a diverged run is not truncated");
  assert.equal(truncatable({ ...e!, fork: { parentRunId: "p", forkStep: 10 } }), false, "nor a fork");
  const short = { ...e!, steps: 20, config: { ...(e!.config as object), train: { ...(e!.config as { train: object }).train, steps: 20 } } };
  assert.deepEqual(truncatedExamples(short).map((c) => c.steps), [11], "copies under MIN_TRUNCATED_STEPS are not made");
});

test("each run with its copies forms a steps group for the pair loss; a run of a sweep keeps its sweep", () => {
  const [lone, swept] = syntheticExamples({ n: 10, seed: 4 }).filter((x) => truncatable(x));
  swept!.sweepId = "s1";
  const { copies, stepsGroup } = truncatedCopies([lone!, swept!]);
  assert.equal(copies.length, 2 * TRUNCATION_SHIFTS.length);
  assert.equal(stepsGroup.get(lone!), `steps:${lone!.runId}`);
  assert.equal(stepsGroup.has(swept!), false, "the swept run keeps its sweep");
  for (const c of copies) assert.equal(stepsGroup.get(c), `steps:${c.runId.split("~")[0]}`);
});

test("a copy's grokking label: the run grokked and its test accuracy got there within the copy; unknown without accuracies", () => {
  const base = syntheticExamples({ n: 10, seed: 4 }).find((x) => !x.events.diverged)!;
  // train accuracy learned from point 3 on, test accuracy only from point 13 on
  const train_acc = Float64Array.from({ length: CURVE_POINTS }, (_, k) => (k >= 3 ? 1 : 0.3));
  const test_acc = Float64Array.from({ length: CURVE_POINTS }, (_, k) => (k >= 13 ? 0.97 : 0.1));
  const grokked: Example = { ...base, curves: { ...base.curves, train_acc, test_acc }, events: { ...base.events, grokking: 1 } };
  const known = (c: { eventsKnown: Uint8Array }) => EVENT_KINDS.filter((_, i) => c.eventsKnown[i] === 1);
  const [late, early] = truncatedExamples(grokked, [2, 5]);
  assert.equal(late!.events.grokking, 1, "cut after test accuracy arrived (shift 2 keeps points 0..13)");
  assert.equal(early!.events.grokking, 0, "cut before it arrived (shift 5 keeps points 0..10)");
  assert.deepEqual(known(late!), ["diverged", "grokking"]);
  assert.deepEqual(known(early!), ["diverged", "grokking"]);
  // a run that did not grok has copies that did not either
  const [notGrokked] = truncatedExamples({ ...grokked, events: { ...grokked.events, grokking: 0 } }, [2]);
  assert.equal(notGrokked!.events.grokking, 0);
  assert.deepEqual(known(notGrokked!), ["diverged", "grokking"]);
  // without accuracies the detector reads losses, whose criterion a prefix does not keep: masked
  const nan = new Float64Array(CURVE_POINTS).fill(NaN);
  const [withoutAcc] = truncatedExamples({ ...grokked, curves: { ...grokked.curves, train_acc: nan, test_acc: nan } }, [2]);
  assert.deepEqual(known(withoutAcc!), ["diverged"]);
});

test("fit trains on the truncated copies besides the runs (and on none when told so)", async () => {
  // under 40 runs fit holds none out, so every run is a training run
  const examples = syntheticExamples({ n: 30, seed: 5 });
  const expected = examples.reduce((n, e) => n + truncatedExamples(e).length, 0);
  assert.ok(expected > 0 && expected < examples.length * TRUNCATION_SHIFTS.length, "some runs diverged and are not truncated");
  const options = { members: 2, hidden: [8], steps: 60, batchSize: 16, evalEvery: 20 };
  const m = new WorldModel(options);
  try {
    await m.fit(examples);
    assert.equal(m.meta.trainedOn.train, examples.length);
    assert.equal(m.meta.trainedOn.truncated, expected);
    await m.fit(examples, { truncations: [] });
    assert.equal(m.meta.trainedOn.truncated, 0);
  } finally {
    m.dispose();
  }
});
