// The recipe registry: every recipe's name matches its key, it cites a source
// and notes its changes, every experiment validates at full and tiny scale,
// labels are unique per recipe and cover every per-run phenomenon kind, and
// each sweep judges only known sweep kinds.

import { test } from "node:test";
import assert from "node:assert/strict";
import { validateExperiment } from "../../src/universe/config/validate.js";
import { recipeNames, recipeRuns, recipes, RUN_PHENOMENA, scaleRecipe, SWEEP_PHENOMENA, TINY } from "../../src/universe/recipes/index.js";

test("every recipe is registered under its own name, cites a source and notes its changes", () => {
  for (const name of recipeNames) {
    const r = recipes[name];
    assert.equal(r.name, name);
    assert.ok(r.source.length > 40, `${name}: source`);
    assert.ok(r.notes.length > 0, `${name}: notes`);
    assert.ok(r.sweeps.length > 0, `${name}: sweeps`);
  }
});

test("every recipe run validates (full and tiny scale) and has a label for every per-run kind", () => {
  let total = 0;
  for (const name of recipeNames) {
    const labels = new Set<string>();
    for (const { sweep, run } of recipeRuns(recipes[name])) {
      total++;
      const where = `${name}/${sweep.name}/${run.label}`;
      assert.ok(!labels.has(run.label), `${where}: duplicate label`);
      labels.add(run.label);
      assert.deepEqual(Object.keys(run.expect).sort(), [...RUN_PHENOMENA].sort(), `${where}: labels`);
      for (const k of RUN_PHENOMENA) assert.equal(typeof run.expect[k], "boolean", `${where}: ${k}`);
      const v = validateExperiment(run.experiment);
      assert.ok(v.ok, `${where}: ${v.ok ? "" : JSON.stringify(v.problems)}`);
    }
    for (const sweep of recipes[name].sweeps) {
      for (const k of Object.keys(sweep.expect)) assert.ok((SWEEP_PHENOMENA as readonly string[]).includes(k), `${name}/${sweep.name}: ${k}`);
    }
    for (const { run } of recipeRuns(scaleRecipe(recipes[name], "tiny"))) {
      const v = validateExperiment(run.experiment);
      assert.ok(v.ok && v.config.train.steps <= TINY.steps && v.config.train.evalPoints <= TINY.evalPoints, `${name}/${run.label} tiny`);
    }
  }
  assert.ok(total >= 50, `at least 50 labelled runs, got ${total}`);
});

test("every per-run kind has labelled-absent runs, and all but epoch-double-descent have labelled-present ones", () => {
  const all = recipeNames.flatMap((n) => recipeRuns(recipes[n]).map((x) => x.run.expect));
  for (const k of RUN_PHENOMENA) {
    assert.ok(all.some((e) => !e[k]), `${k}: no negative`);
    if (k !== "epoch-double-descent") assert.ok(all.some((e) => e[k]), `${k}: no positive`);
  }
});

test("a numeric scale multiplies the steps; full leaves the recipe as it is", () => {
  const r = recipes["adam-lr-boundary"];
  assert.equal(scaleRecipe(r, "full"), r);
  const half = recipeRuns(scaleRecipe(r, 0.5));
  recipeRuns(r).forEach(({ run }, i) => assert.equal(half[i]!.run.experiment.train!.steps, Math.round(run.experiment.train!.steps! / 2)));
});
