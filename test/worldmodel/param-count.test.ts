// The parameter-count cache of the encoding: its structural key is equal exactly
// when (task, model) are equal as JSON, and the cached count is the fitted tree's.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { modelKey, paramCountOf } from "../../src/worldmodel/param-count.js";
import { fitModel } from "../../src/universe/model.js";
import { taskSpecOf } from "../../src/universe/config/validate.js";
import { syntheticConfig } from "./synthetic.js";

type Config = { task: Record<string, unknown>; model: { children: Record<string, unknown>[] }; train: Record<string, unknown> };
const config = (lr = 1e-3, width = 32, seed = 0) => syntheticConfig(lr, width, seed) as Config;

describe("modelKey", () => {
  it("is equal for (task, model) equal as JSON, in other objects, whatever the training recipe", () => {
    const a = config(1e-3, 32);
    const b = JSON.parse(JSON.stringify(config(0.1, 32))) as Config;
    assert.equal(modelKey(a), modelKey(b));
  });

  it("differs when the model or the task differs", () => {
    const a = config(1e-3, 32);
    assert.notEqual(modelKey(a), modelKey(config(1e-3, 33)));
    const deeper = structuredClone(a);
    deeper.model.children[0]!.depth = 2;
    assert.notEqual(modelKey(a), modelKey(deeper));
    assert.notEqual(modelKey(a), modelKey(config(1e-3, 32, 1)), "the task seed is part of the task");
  });

  it("separates token boundaries and nesting that a plain concatenation would merge", () => {
    assert.notEqual(modelKey({ task: { a: "bc" }, model: null }), modelKey({ task: { ab: "c" }, model: null }));
    assert.notEqual(modelKey({ task: [1, [2]], model: null }), modelKey({ task: [[1], 2], model: null }));
    assert.notEqual(modelKey({ task: { x: 1 }, model: null }), modelKey({ task: { x: "1" }, model: null }));
    assert.notEqual(modelKey({ task: { x: true }, model: null }), modelKey({ task: { x: 1 }, model: null }));
  });

  it("ignores undefined members, as JSON does", () => {
    assert.equal(modelKey({ task: { x: 1, y: undefined }, model: null }), modelKey({ task: { x: 1 }, model: null }));
  });
});

describe("paramCountOf", () => {
  it("gives the fitted tree's parameter count, from the cache for an equal config in a new object", () => {
    const a = config(1e-3, 24);
    const expected = fitModel(a.model as never, taskSpecOf(a.task as never)).paramCount;
    assert.equal(paramCountOf(a), expected);
    assert.equal(paramCountOf(structuredClone(a)), expected);
    assert.ok(paramCountOf(config(1e-3, 48))! > expected, "a wider model has more parameters");
  });

  it("gives null for a config whose model does not fit its task", () => {
    const bad = config();
    bad.model = { unit: "no-such-unit" } as never;
    assert.equal(paramCountOf(bad), null);
    assert.equal(paramCountOf(null), null);
  });
});
