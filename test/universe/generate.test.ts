// The sampler: 1,000 sampled experiments are valid, distinct, within the limits and
// each trains 5 steps on the engine; every family and both input kinds are drawn;
// resampling is rare; sampling is deterministic in the seed and prefix-stable.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../src/engine/index.js";
import { validateExperiment } from "../../src/universe/config/validate.js";
import type { ExperimentInput } from "../../src/universe/config/experiment.js";
import { trainPopulation } from "../../src/runner/train.js";
import { taskNames } from "../../src/universe/tasks/index.js";
import { canonicalJson } from "../../src/universe/config/canonical.js";
import {
  DEFAULT_LIMITS, compactExperiment, generatorRng, sampleExperiment, sampleExperimentInfos, sampleExperiments,
} from "../../src/universe/generate/index.js";

const N = 1000;
const infos = sampleExperimentInfos(N, 2024);

/** The sampled experiment shrunk to a 5-step smoke run (small sets, tiny evaluations). */
/** The batch of a smoke run: "full" stays (the train set is small), numbers are capped at 64. */
function smallBatch(config: ExperimentInput): number | "full" {
  const b = config.train?.batchSize ?? 64;
  return b === "full" ? b : Math.min(b, 64);
}

function smoke(config: ExperimentInput): ExperimentInput {
  const task = config.task as Record<string, unknown>;
  const trainSize = task.trainSize === "stream" ? "stream" : Math.min(Number(task.trainSize ?? 1024), 64);
  return {
    ...config,
    task: { ...task, trainSize, testSize: 32 } as ExperimentInput["task"],
    train: { ...config.train, steps: 5, evalPoints: 2, evalExamples: 16, batchSize: smallBatch(config) },
  };
}

test(`${N} sampled experiments are valid, distinct and within the limits`, () => {
  assert.equal(infos.length, N);
  const ids = new Set<string>();
  for (const info of infos) {
    const v = validateExperiment(info.config);
    assert.ok(v.ok, `invalid sample: ${JSON.stringify(v.ok ? null : v.problems)}`);
    assert.equal(v.id, info.id);
    assert.equal(v.paramCount, info.paramCount);
    assert.ok(v.paramCount <= DEFAULT_LIMITS.maxParams, `${v.paramCount} parameters`);
    assert.ok(info.cost.total <= DEFAULT_LIMITS.maxSeconds, `estimated ${info.cost.total} s`);
    assert.ok(v.config.train.steps >= DEFAULT_LIMITS.minSteps && v.config.train.steps <= 5000);
    ids.add(v.id);
    // the sampler returns compact documents
    assert.equal(canonicalJson(compactExperiment(v.config)), canonicalJson(info.config));
  }
  assert.equal(ids.size, N, "experiment ids are distinct");
});

test("resampling is rare and every family, input kind and optimizer is drawn", (t) => {
  const resampled = infos.filter((i) => i.attempts > 1).length;
  const repaired = infos.filter((i) => i.repairs.length > 0).length;
  t.diagnostic(`${resampled} of ${N} samples needed more than one draw; ${repaired} had a budget repair`);
  assert.ok(resampled <= N / 100, `${resampled} of ${N} samples needed more than one draw`);
  const families = new Map<string, number>();
  const kinds = new Set<string>();
  const optimizers = new Set<string>();
  const units = new Set<string>();
  for (const { config } of infos) {
    const family = String(config.task.family);
    families.set(family, (families.get(family) ?? 0) + 1);
    const v = validateExperiment(config);
    assert.ok(v.ok);
    kinds.add(v.spec.input.kind);
    optimizers.add(v.config.train.optimizer);
    JSON.stringify(config.model, (k, value) => {
      if (k === "unit") units.add(value as string);
      return value;
    });
  }
  for (const name of taskNames) assert.ok((families.get(name) ?? 0) >= N / taskNames.length / 2, `family ${name}: ${families.get(name)}`);
  assert.deepEqual([...kinds].sort(), ["tokens", "vector"]);
  assert.deepEqual([...optimizers].sort(), ["adam", "adamw", "sgd"]);
  for (const unit of ["embedding", "linear", "mlp", "activation", "norm", "residual", "sequential", "attention", "token-mixing", "glu", "pooling", "dropout", "readout"]) {
    assert.ok(units.has(unit), `no sample uses ${unit}`);
  }
});

test("next-token tasks only get causal models", () => {
  for (const { config } of infos) {
    if (config.task.family !== "markov-chain") continue;
    const text = JSON.stringify(config.model);
    assert.ok(!text.includes("token-mixing"), text);
    assert.ok(!text.includes('"causal":false'), text);
  }
});

const BATCHES = 10;
for (let b = 0; b < BATCHES; b++) {
  const from = (b * N) / BATCHES, to = ((b + 1) * N) / BATCHES;
  test(`sampled experiments ${from}..${to - 1} train 5 steps`, () => {
    const engine = new Engine();
    for (const info of infos.slice(from, to)) {
      const v = validateExperiment(smoke(info.config));
      assert.ok(v.ok, `smoke config invalid: ${JSON.stringify(v.ok ? null : v.problems)}`);
      const [result] = trainPopulation(engine, [v.config]);
      assert.ok(result, "a result");
      assert.ok(result.curves.step.length >= 1, `no evaluation recorded for ${info.id}`);
      assert.ok(Number.isFinite(result.curves.train_loss[0]!), `non-finite initial loss for ${info.id}`);
    }
  });
}

test("sampling is deterministic in the seed and prefix-stable", () => {
  const a = sampleExperiments(20, 7);
  const b = sampleExperiments(20, 7);
  assert.deepEqual(a, b);
  assert.deepEqual(sampleExperiments(5, 7), a.slice(0, 5));
  const c = sampleExperiments(20, 8);
  assert.notDeepEqual(a, c);
  assert.deepEqual(sampleExperiment(generatorRng(3, 4)), sampleExperiment(generatorRng(3, 4)));
  assert.deepEqual(sampleExperiments(0, 1), []);
  assert.throws(() => sampleExperiments(-1, 1), RangeError);
});
