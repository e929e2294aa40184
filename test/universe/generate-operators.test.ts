// Mutation and crossover keep experiments valid over 10,000 chained applications,
// record what they changed, rarely propose invalid candidates, and are
// deterministic; offspring train. Scaling multiplies widths, depth, data and steps
// as stated and keeps experiments valid.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../src/engine/index.js";
import { validateExperiment } from "../../src/universe/config/validate.js";
import type { Experiment, ExperimentInput } from "../../src/universe/config/experiment.js";
import { trainPopulation } from "../../src/runner/train.js";
import type { UnitTree } from "../../src/universe/units/index.js";
import {
  GenerateError, crossover, generatorRng, mutate, mutationOperators, newStats, sampleExperiments, scaleExperiment, scaleLadder,
  type CrossoverName, type MutationName,
} from "../../src/universe/generate/index.js";
import { headsGranule, widthFields } from "../../src/universe/generate/tree.js";
import { presets } from "../../src/universe/presets/index.js";

const pool = sampleExperiments(60, 77);

function valid(config: ExperimentInput, what: string) {
  const v = validateExperiment(config);
  assert.ok(v.ok, `${what}: ${JSON.stringify(v.ok ? null : v.problems)}\n${JSON.stringify(config)}`);
  return v;
}

/** The batch of a smoke run: at most 64 (offspring may have grown large models on modular arithmetic's full tables). */
function smallBatch(config: ExperimentInput): number | "full" {
  const b = config.train?.batchSize ?? 64;
  if (b === "full") return config.task.family === "modular-arithmetic" ? 64 : "full";
  return Math.min(b, 64);
}

function smoke(config: ExperimentInput): ExperimentInput {
  const task = config.task as Record<string, unknown>;
  const trainSize = task.trainSize === "stream" ? "stream" : Math.min(Number(task.trainSize ?? 1024), 64);
  return { ...config, task: { ...task, trainSize, testSize: 32 } as ExperimentInput["task"], train: { ...config.train, steps: 5, evalPoints: 2, evalExamples: 16, batchSize: smallBatch(config) } };
}

const APPLICATIONS = 10_000;
const trained: ExperimentInput[] = [];

test(`mutation and crossover stay valid over ${APPLICATIONS} chained applications`, (t) => {
  const rng = generatorRng(4242);
  const population = [...pool];
  const mStats = newStats(), xStats = newStats();
  const maxParams = 500_000;
  for (let i = 0; i < APPLICATIONS; i++) {
    const k = rng.int(population.length);
    const parent = population[k]!;
    const { id: parentId, paramCount: parentParams } = valid(parent, "parent");
    let child: ExperimentInput;
    if (rng.uniform() < 0.1) {
      const other = population[rng.int(population.length)]!;
      const x = crossover(parent, other, rng, { stats: xStats, maxParams });
      assert.ok(["swap-subtree", "swap-model", "swap-recipe", "mix-recipe"].includes(x.operator.name));
      assert.ok(x.operator.base === "a" || x.operator.base === "b");
      child = x.config;
    } else {
      const m = mutate(parent, rng, { stats: mStats, maxParams });
      assert.ok(m.operator.name in mutationOperators, m.operator.name);
      assert.ok(m.operator.path.startsWith("model") || m.operator.path.startsWith("train.") || m.operator.path.startsWith("task."), m.operator.path);
      assert.notDeepEqual(m.operator.from, m.operator.to);
      child = m.config;
      assert.notEqual(valid(child, `after ${m.operator.name} at ${m.operator.path}`).id, parentId, "a mutation changes the experiment");
    }
    const v = valid(child, "offspring");
    assert.ok(v.paramCount <= Math.max(maxParams, parentParams), `${v.paramCount} parameters`);
    assert.equal(child.name, undefined, "offspring carry no name");
    population[k] = child;
    if (i % 100 === 99) trained.push(child);
  }
  t.diagnostic(`mutation: ${mStats.rejected} of ${mStats.tried} candidates invalid; applied ${JSON.stringify(mStats.applied)}`);
  t.diagnostic(`crossover: ${xStats.rejected} of ${xStats.tried} candidates invalid; applied ${JSON.stringify(xStats.applied)}`);
  // every operator applies, and invalid candidates are rare
  for (const name of Object.keys(mutationOperators) as MutationName[]) assert.ok((mStats.applied[name] ?? 0) > 0, `mutation ${name} never applied`);
  for (const name of ["swap-subtree", "swap-model", "swap-recipe", "mix-recipe"] as CrossoverName[]) {
    assert.ok((xStats.applied[name] ?? 0) > 0, `crossover ${name} never applied`);
  }
  assert.ok(mStats.rejected / mStats.tried < 0.1, `mutation: ${mStats.rejected} of ${mStats.tried} candidates invalid`);
  assert.ok(xStats.rejected / xStats.tried < 0.25, `crossover: ${xStats.rejected} of ${xStats.tried} candidates invalid`);
  assert.ok((mStats.applied.reseed ?? 0) < APPLICATIONS * 0.05, `reseed (the fallback) applied ${mStats.applied.reseed} times`);
});

test("offspring of the chain train 5 steps", () => {
  assert.equal(trained.length, APPLICATIONS / 100);
  const engine = new Engine();
  for (const config of trained) {
    const v = valid(smoke(config), "smoke offspring");
    const [result] = trainPopulation(engine, [v.config as Experiment]);
    assert.ok(result && Number.isFinite(result.curves.train_loss[0]!), JSON.stringify(config));
  }
});

test("each mutation operator applies to sampled experiments and records its change", () => {
  const rng = generatorRng(5);
  for (const name of Object.keys(mutationOperators) as MutationName[]) {
    let own = 0;
    for (const parent of pool.slice(0, 30)) {
      const m = mutate(parent, rng, { operators: [name] });
      valid(m.config, name);
      if (m.operator.name === name) own++;
      else assert.equal(m.operator.name, "reseed", "the only fallback is reseed");
    }
    assert.ok(own >= 10, `${name} applied to ${own} of 30 experiments`);
  }
});

test("mutation and crossover are deterministic in the rng", () => {
  for (const parent of pool.slice(0, 10)) {
    assert.deepEqual(mutate(parent, generatorRng(9, 1)), mutate(parent, generatorRng(9, 1)));
    assert.deepEqual(crossover(parent, pool[20]!, generatorRng(9, 2)), crossover(parent, pool[20]!, generatorRng(9, 2)));
  }
});

test("crossover of token and vector experiments swaps recipes only", () => {
  const tokens = pool.filter((c) => validateExperiment(c).ok && (validateExperiment(c) as { spec: { input: { kind: string } } }).spec.input.kind === "tokens");
  const vectors = pool.filter((c) => !tokens.includes(c));
  assert.ok(tokens.length > 0 && vectors.length > 0);
  const rng = generatorRng(11);
  for (let i = 0; i < 50; i++) {
    const x = crossover(tokens[i % tokens.length]!, vectors[i % vectors.length]!, rng);
    assert.ok(x.operator.name === "swap-recipe" || x.operator.name === "mix-recipe", x.operator.name);
    valid(x.config, "cross-kind child");
  }
});

test("invalid inputs are rejected with a GenerateError", () => {
  const bad = { task: { family: "sparse-parity", n: 3, k: 5 }, model: { unit: "readout" } } as unknown as ExperimentInput;
  assert.throws(() => mutate(bad, generatorRng(1)), GenerateError);
  assert.throws(() => crossover(bad, pool[0]!, generatorRng(1)), GenerateError);
  assert.throws(() => scaleExperiment(bad, 2), GenerateError);
  assert.throws(() => scaleExperiment(pool[0]!, 0), GenerateError);
  assert.throws(() => scaleExperiment(pool[0]!, Number.NaN), GenerateError);
});

// ---- scaling ------------------------------------------------------------------

function countUnits(tree: UnitTree, kind: string): number {
  let n = tree.unit === kind ? 1 : 0;
  if (tree.unit === "sequential") for (const c of tree.children) n += countUnits(c, kind);
  if (tree.unit === "residual") n += countUnits(tree.child, kind);
  return n;
}

test("scaling multiplies widths, depth, data and steps and keeps experiments valid", () => {
  const factors = [0.5, 2, 3];
  for (const config of pool.slice(0, 40)) {
    const before = valid(config, "input").config;
    for (const f of factors) {
      // widths alone: every width field maps to round(w * f) at a multiple of the heads
      const widthOnly = valid(scaleExperiment(config, f, { depth: false, data: false, steps: false }), `widths x${f}`).config;
      const g = headsGranule(before.model);
      const wb = widthFields(before.model), wa = widthFields(widthOnly.model);
      assert.equal(wa.length, wb.length);
      wb.forEach((w, i) => {
        const expected = Math.min(4096, g * Math.max(1, Math.round((w.value * f) / g)));
        assert.equal(wa[i]!.value, expected, `width ${w.field} at ${JSON.stringify(w.path)}: ${w.value} x ${f}`);
      });
      assert.equal(widthOnly.train.steps, before.train.steps);

      // everything together
      const s = valid(scaleExperiment(config, f), `scaled x${f}`).config;
      assert.equal(s.train.steps, Math.max(1, Math.round(before.train.steps * f)));
      if (typeof before.task.trainSize === "number" && before.task.family !== "modular-arithmetic") {
        assert.equal(s.task.trainSize, Math.max(1, Math.round(before.task.trainSize * f)));
      } else assert.equal(s.task.trainSize, before.task.trainSize);
      const r0 = countUnits(before.model, "residual"), r1 = countUnits(s.model, "residual");
      if (f >= 1) assert.equal(r1, r0 * f, `residual blocks ${r0} x ${f}`);
      else assert.ok(r1 <= r0 && (r0 === 0 || r1 >= 1), `residual blocks ${r0} -> ${r1}`);
      // the recipe is otherwise unchanged
      assert.equal(s.train.lr, before.train.lr);
      assert.equal(s.train.batchSize, before.train.batchSize);
      assert.equal(s.train.optimizer, before.train.optimizer);
    }
  }
});

test("scale ladders grow the parameter count and start at the input", () => {
  for (const config of [...pool.slice(0, 20), ...Object.values(presets).map((p) => p.experiment)]) {
    const ladder = scaleLadder(config, [0.5, 1, 2, 4]);
    assert.deepEqual(ladder.map((r) => r.factor), [0.5, 1, 2, 4]);
    assert.equal(ladder[1]!.id, valid(config, "ladder input").id, "factor 1 is the input itself");
    for (let i = 1; i < ladder.length; i++) {
      assert.ok(ladder[i]!.paramCount >= ladder[i - 1]!.paramCount, `params ${ladder[i - 1]!.paramCount} -> ${ladder[i]!.paramCount}`);
      valid(ladder[i]!.config, `ladder x${ladder[i]!.factor}`);
    }
  }
});
