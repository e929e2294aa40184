// The config language: defaults, canonical form and id, and one message per class of
// invalid input (path + expected + found).

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseExperimentText } from "../../src/universe/config/load.js";
import { formatProblem } from "../../src/universe/config/problems.js";
import { validateExperiment } from "../../src/universe/config/validate.js";

const base = {
  task: { family: "modular-arithmetic", p: 13, trainFraction: 0.5 },
  model: {
    unit: "sequential",
    children: [{ unit: "embedding", dim: 16 }, { unit: "pooling", mode: "flatten" }, { unit: "mlp", width: 32 }, { unit: "readout" }],
  },
  train: { lr: 0.001, steps: 100 },
};

function idOf(doc: unknown): string {
  const v = validateExperiment(doc);
  if (!v.ok) assert.fail(v.problems.map(formatProblem).join("; "));
  return v.id;
}

function messages(doc: unknown): string[] {
  const v = validateExperiment(doc);
  assert.equal(v.ok, false, "expected the document to be rejected");
  return v.ok ? [] : v.problems.map(formatProblem);
}

test("defaults are filled in and the id is stable across key order, number formatting and explicit defaults", () => {
  const v = validateExperiment(base);
  assert.ok(v.ok);
  assert.equal(v.config.train.optimizer, "adamw");
  assert.equal(v.config.train.evalPoints, 150);
  const reordered = { train: { steps: 100, lr: 1e-3 }, model: base.model, task: { trainFraction: 0.50, p: 13, family: "modular-arithmetic" } };
  assert.equal(idOf(reordered), v.id);
  const explicit = { ...base, train: { ...base.train, optimizer: "adamw", beta1: 0.9, weightDecay: 0 }, log: {} };
  assert.equal(idOf(explicit), v.id);
  const yaml = parseExperimentText(`
task: {family: modular-arithmetic, p: 13, trainFraction: 5.0e-1}
model:
  unit: sequential
  children: [{unit: embedding, dim: 16}, {unit: pooling, mode: flatten}, {unit: mlp, width: 32}, {unit: readout}]
train: {lr: 1.0e-3, steps: 100}
`);
  assert.ok(yaml.ok);
  assert.equal(idOf(yaml.value), v.id);
  assert.equal(idOf({ ...base, name: "a label" }), v.id, "the name is not part of the identity");
});

test("seeds and hyperparameters are part of the identity", () => {
  const id = idOf(base);
  assert.notEqual(idOf({ ...base, train: { ...base.train, seed: 1 } }), id);
  assert.notEqual(idOf({ ...base, task: { ...base.task, seed: 1 } }), id);
  assert.notEqual(idOf({ ...base, train: { ...base.train, lr: 0.002 } }), id);
});

test("the difficulty knob fills parameters that are not given", () => {
  const v = validateExperiment({ ...base, task: { family: "modular-arithmetic", p: 13, difficulty: 1 } });
  assert.ok(v.ok);
  assert.equal(v.config.task.trainFraction, 0.2);
  const explicit = validateExperiment({ ...base, task: { family: "modular-arithmetic", p: 13, difficulty: 1, trainFraction: 0.7 } });
  assert.ok(explicit.ok);
  assert.equal(explicit.config.task.trainFraction, 0.7);
});

const invalid: Array<[string, unknown, RegExp]> = [
  ["root not an object", [1, 2], /^\(root\): expected an object with task, model and train, got \[1,2\]$/],
  ["missing task", { model: base.model }, /^task: expected .*, got nothing$/],
  ["unknown family", { ...base, task: { family: "chess" } }, /^task\.family: expected one of "modular-arithmetic", .*, got "chess"$/],
  ["wrong type", { ...base, train: { lr: "fast" } }, /^train\.lr: expected number, got "fast"$/],
  ["out of range", { ...base, train: { lr: -1 } }, /^train\.lr: expected a value > 0, got -1$/],
  ["not an integer", { ...base, train: { steps: 10.5 } }, /^train\.steps: expected an integer, got 10\.5$/],
  ["unknown key", { ...base, train: { optimiser: "sgd" } }, /^train\.optimiser: expected no such key \(misspelled or not allowed here\), got "sgd"$/],
  ["bad enum", { ...base, train: { optimizer: "lion" } }, /^train\.optimizer: expected one of "sgd", "adam", "adamw", got "lion"$/],
  ["family check", { ...base, task: { family: "modular-arithmetic", p: 12 } }, /^task\.p: expected .*prime.*, got 12$/],
  [
    "heads do not divide dim",
    { ...base, task: { family: "sequence" }, model: { unit: "sequential", children: [{ unit: "embedding", dim: 64 }, { unit: "norm" }, { unit: "attention", heads: 5 }, { unit: "readout" }] } },
    /^model\.children\[2\]\.heads: expected a divisor of dim 64, got 5$/,
  ],
  [
    "attention on vectors",
    { ...base, task: { family: "playground" }, model: { unit: "sequential", children: [{ unit: "attention" }, { unit: "readout" }] } },
    /^model\.children\[0\]: expected .*sequence.*, got vector of dim 2$/,
  ],
  ["tree does not end in the output", { ...base, model: { unit: "sequential", children: [{ unit: "embedding", dim: 16 }, { unit: "pooling" }] } }, /^model: expected the tree to end in the task's output.*add a readout unit$/],
  ["unknown unit", { ...base, model: { unit: "transformer" } }, /^model(\.unit)?: expected .*, got .*transformer/],
  ["full batch on a stream", { ...base, task: { family: "playground", trainSize: "stream" }, model: { unit: "readout" }, train: { batchSize: "full" } }, /^train\.batchSize: expected a number when task\.trainSize is "stream"/],
  ["checkpoint after the end", { ...base, log: { checkpoints: [500] } }, /^log\.checkpoints\[0\]: expected a step <= train\.steps \(100\), got 500$/],
];

for (const [name, doc, pattern] of invalid) {
  test(`invalid input: ${name}`, () => {
    const found = messages(doc);
    assert.ok(found.some((m) => pattern.test(m)), `no message matches ${pattern}; got:\n${found.join("\n")}`);
  });
}

test("every problem is reported, not only the first", () => {
  const found = messages({ ...base, train: { lr: -1, steps: 0, optimizer: "lion" } });
  assert.equal(found.length, 3, found.join("\n"));
});

test("YAML syntax errors name the line", () => {
  const r = parseExperimentText("task: {family: x\nmodel: [", "exp.yaml");
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.problems[0]!.path, /^exp\.yaml:\d+:\d+$/);
});
