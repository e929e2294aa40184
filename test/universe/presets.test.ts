// The presets: every registered preset names itself by its key, cites its source,
// validates, sits on its sweep axis and trains 5 steps; the registry answers by name.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../src/engine/index.js";
import { validateExperiment } from "../../src/universe/config/validate.js";
import type { ExperimentInput } from "../../src/universe/config/experiment.js";
import { trainPopulation } from "../../src/runner/train.js";
import { getPreset, isPresetName, presetNames, presets } from "../../src/universe/presets/index.js";

/** The value at a path such as "model.children[0].width" in the validated config. */
function valueAtPath(root: unknown, path: string): unknown {
  const keys = path.replace(/\[(\d+)\]/g, ".$1").split(".");
  let cur = root;
  for (const k of keys) cur = (cur as Record<string, unknown> | undefined)?.[k];
  return cur;
}

for (const name of presetNames) {
  test(`preset ${name} is complete, valid and trains 5 steps`, () => {
    const p = presets[name];
    assert.equal(p.name, name);
    assert.equal(p.experiment.name, name);
    assert.ok(p.summary.length > 20 && p.source.length > 20, "summary and source");
    assert.ok(/\b(19|20)\d\d\b/.test(p.source), "the source names a year");
    assert.ok(p.notes.length >= 2, "notes on what was changed");
    const v = validateExperiment(p.experiment);
    assert.ok(v.ok, JSON.stringify(v.ok ? null : v.problems));
    if (p.sweep) {
      const value = valueAtPath(v.config, p.sweep.path);
      assert.ok(typeof value === "number", `${p.sweep.path} is a number`);
      assert.ok(p.sweep.values.includes(value as number), `${p.sweep.path} = ${value} is one of the sweep's values`);
    }
    const smoke: ExperimentInput = { ...p.experiment, train: { ...p.experiment.train, steps: 5, evalPoints: 2, evalExamples: 64 } };
    const s = validateExperiment(smoke);
    assert.ok(s.ok);
    const [result] = trainPopulation(new Engine(), [s.config]);
    assert.ok(result && result.status === "completed", "5 steps complete");
    assert.ok(Number.isFinite(result.curves.train_loss.at(-1)!));
  });
}

test("the registry answers by name", () => {
  assert.deepEqual(Object.keys(presets).sort(), [...presetNames].sort());
  assert.equal(getPreset("grokking-modadd"), presets["grokking-modadd"]);
  assert.equal(getPreset("no-such-preset"), undefined);
  assert.equal(isPresetName("toString"), false);
  assert.equal(getPreset("constructor"), undefined);
});

test("the preset experiments have distinct ids", () => {
  const ids = presetNames.map((n) => {
    const v = validateExperiment(presets[n].experiment);
    assert.ok(v.ok);
    return v.id;
  });
  assert.equal(new Set(ids).size, ids.length);
});
