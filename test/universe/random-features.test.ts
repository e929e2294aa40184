// The random-features unit: a fixed projection that is not a parameter (only
// the readout trains), the same for every member and every build with the same
// seed, different for another seed.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../src/engine/index.js";
import type { TaskSpec } from "../../src/universe/tasks/family.js";
import { buildModel } from "../../src/universe/model.js";
import type { UnitTreeInput } from "../../src/universe/units/index.js";

const spec: TaskSpec = { input: { kind: "vector", dim: 3 }, output: { kind: "regression", dim: 1 }, loss: "mse", metrics: ["loss"] };
const tree = (seed: number): UnitTreeInput => ({ unit: "sequential", children: [{ unit: "random-features", width: 16, fn: "relu", seed }, { unit: "readout" }] });

function features(engine: Engine, seed: number, members: number): Float32Array {
  // the readout's weight set to 1 and bias to 0 makes the output the sum of the features
  const model = buildModel(engine, tree(seed), spec, { members, initSeeds: Array.from({ length: members }, (_, m) => m + 1), initScales: new Array(members).fill(1) });
  for (const p of model.params) p.tensor.set(new Float32Array(p.tensor.size).fill(p.name.endsWith("weight") ? 1 : 0));
  const out = engine.scope(() => {
    const x = engine.tensor(Array.from({ length: members * 2 * 3 }, (_, i) => Math.sin(i % 6)), [members, 2, 3]);
    return model.forward(x, { training: false, step: 0, dropoutSeeds: [] }).toFloat32();
  });
  assert.equal(model.paramCount, 16 + 1, "only the readout has parameters");
  model.dispose();
  return out;
}

test("the projection is fixed by the unit's seed and shared by every member", () => {
  const engine = new Engine();
  const a = features(engine, 0, 2), b = features(engine, 0, 1), c = features(engine, 1, 1);
  assert.deepEqual(Array.from(a.slice(0, 2)), Array.from(a.slice(2, 4)), "members share the projection");
  assert.deepEqual(Array.from(a.slice(0, 2)), Array.from(b), "a rebuild gives the same features");
  assert.notDeepEqual(Array.from(b), Array.from(c), "another seed gives other features");
});
