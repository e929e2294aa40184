// The unit registry: every kind counts its parameters exactly as many as it builds,
// every config field is documented, and fit errors name the exact path.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { z } from "zod";
import { Engine } from "../../src/engine/index.js";
import type { TaskSpec } from "../../src/universe/tasks/family.js";
import { buildModel, fitModel, UnitFitError } from "../../src/universe/model.js";
import { unitKinds, units, unitTreeSchema, type UnitKind, type UnitTreeInput } from "../../src/universe/units/index.js";

const tokens = (length: number, vocab: number, positions: number | null, classes = vocab): TaskSpec => ({
  input: { kind: "tokens", length, vocab },
  output: { kind: "classes", classes, positions },
  loss: "crossEntropy",
  metrics: ["loss", "accuracy"],
});
const vectors = (dim: number, classes: number): TaskSpec => ({
  input: { kind: "vector", dim },
  output: { kind: "classes", classes, positions: null },
  loss: "crossEntropy",
  metrics: ["loss", "accuracy"],
});
const regression = (dim: number, out: number): TaskSpec => ({
  input: { kind: "vector", dim },
  output: { kind: "regression", dim: out },
  loss: "mse",
  metrics: ["loss"],
});

/** A small tree and task using each kind; a kind without a sample is a compile error. */
const samples: { [K in UnitKind]: { tree: UnitTreeInput; spec: TaskSpec } } = {
  activation: { tree: { unit: "sequential", children: [{ unit: "linear", width: 5 }, { unit: "activation", fn: "gelu" }, { unit: "readout" }] }, spec: vectors(3, 2) },
  attention: {
    tree: { unit: "sequential", children: [{ unit: "embedding", dim: 8 }, { unit: "attention", heads: 2, causal: false }, { unit: "readout" }] },
    spec: tokens(5, 7, 5),
  },
  dropout: { tree: { unit: "sequential", children: [{ unit: "linear", width: 6 }, { unit: "dropout", p: 0.2 }, { unit: "readout" }] }, spec: regression(3, 2) },
  embedding: { tree: { unit: "sequential", children: [{ unit: "embedding", dim: 6, positional: true }, { unit: "readout", pool: "last" }] }, spec: tokens(4, 9, null, 3) },
  glu: { tree: { unit: "sequential", children: [{ unit: "glu", width: 7, activation: "silu", out: 5 }, { unit: "readout" }] }, spec: vectors(4, 3) },
  linear: { tree: { unit: "sequential", children: [{ unit: "linear", width: 5, bias: false }, { unit: "readout" }] }, spec: vectors(3, 2) },
  mlp: { tree: { unit: "sequential", children: [{ unit: "mlp", width: 6, depth: 2, out: 4 }, { unit: "readout", bias: false }] }, spec: regression(3, 2) },
  norm: {
    tree: { unit: "sequential", children: [{ unit: "linear", width: 6 }, { unit: "norm" }, { unit: "norm", kind: "rms" }, { unit: "norm", kind: "none" }, { unit: "readout" }] },
    spec: vectors(3, 2),
  },
  pooling: {
    tree: { unit: "sequential", children: [{ unit: "embedding", dim: 4, positional: false }, { unit: "pooling", mode: "flatten" }, { unit: "linear", width: 3 }, { unit: "readout" }] },
    spec: tokens(5, 6, null, 2),
  },
  "random-features": { tree: { unit: "sequential", children: [{ unit: "random-features", width: 7, fn: "tanh", seed: 3 }, { unit: "readout" }] }, spec: regression(4, 2) },
  readout: { tree: { unit: "sequential", children: [{ unit: "embedding", dim: 6 }, { unit: "readout" }] }, spec: tokens(6, 5, 3) },
  residual: {
    tree: { unit: "sequential", children: [{ unit: "embedding", dim: 8 }, { unit: "residual", child: { unit: "mlp", width: 12, out: 8 } }, { unit: "readout" }] },
    spec: tokens(4, 5, 4),
  },
  sequential: { tree: { unit: "sequential", children: [{ unit: "sequential", children: [{ unit: "linear", width: 4 }] }, { unit: "readout" }] }, spec: vectors(2, 2) },
  "token-mixing": {
    tree: { unit: "sequential", children: [{ unit: "embedding", dim: 4 }, { unit: "token-mixing", width: 9 }, { unit: "readout", pool: "mean" }] },
    spec: tokens(5, 6, null, 2),
  },
};

test("every unit kind counts exactly the parameters it builds, and its output has the fitted shape", () => {
  const engine = new Engine();
  const P = 2;
  for (const kind of unitKinds) {
    const { tree, spec } = samples[kind];
    const fit = fitModel(tree, spec);
    const model = buildModel(engine, tree, spec, { members: P, initSeeds: [1, 2], initScales: [1, 0.5] });
    const built = model.params.reduce((n, p) => n + p.tensor.size, 0);
    assert.equal(fit.paramCount * P, built, `${kind}: paramCount ${fit.paramCount} vs built ${built / P}`);
    assert.equal(model.paramCount, fit.paramCount, kind);
    for (const p of model.params) assert.equal(p.tensor.shape[0], P, `${kind}: ${p.name} has the member axis`);
    engine.scope(() => {
      const B = 3;
      const n = P * B * (spec.input.kind === "vector" ? spec.input.dim : spec.input.length);
      const x = spec.input.kind === "vector"
        ? engine.tensor(Array.from({ length: n }, (_, i) => Math.sin(i)), [P, B, spec.input.dim])
        : engine.tensor(Array.from({ length: n }, (_, i) => (i * 7) % (spec.input as { vocab: number }).vocab), [P, B, spec.input.length], "i32");
      const y = model.forward(x, { training: true, step: 0, dropoutSeeds: [5, 6] });
      const want = fit.output.kind === "sequence" ? [P, B, fit.output.length, fit.output.dim] : [P, B, fit.output.kind === "vector" ? fit.output.dim : -1];
      assert.deepEqual(y.shape, want, `${kind}: forward output shape`);
      assert.ok(y.toFloat32().every(Number.isFinite), `${kind}: finite output`);
    });
    model.dispose();
  }
});

test("every config field has a default or is required, and a description", () => {
  for (const kind of unitKinds) {
    const schema = units[kind].schema as unknown as z.ZodObject;
    assert.equal(units[kind].kind, kind);
    assert.ok(schema.description, `${kind}: the schema is described`);
    for (const [field, s] of Object.entries(schema.shape)) {
      if (field === "unit") continue;
      assert.ok((s as z.ZodType).description, `${kind}.${field} has a description`);
    }
  }
  // leaf units parse from their kind alone
  for (const kind of unitKinds.filter((k) => k !== "residual" && k !== "sequential")) {
    assert.equal(unitTreeSchema.parse({ unit: kind }).unit, kind);
  }
  const parsed = unitTreeSchema.parse({ unit: "sequential", children: [{ unit: "residual", child: { unit: "mlp" } }] });
  assert.deepEqual(parsed, {
    unit: "sequential",
    children: [{ unit: "residual", child: { unit: "mlp", width: 64, depth: 1, activation: "relu", bias: true } }],
  });
});

function fitErrorOf(tree: UnitTreeInput, spec: TaskSpec): UnitFitError {
  try {
    fitModel(tree, spec);
  } catch (e) {
    assert.ok(e instanceof UnitFitError, `a UnitFitError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected a UnitFitError");
}

test("heads that do not divide dim fail at the heads field", () => {
  const e = fitErrorOf(
    { unit: "sequential", children: [{ unit: "embedding", dim: 64 }, { unit: "norm" }, { unit: "attention", heads: 5 }, { unit: "readout" }] },
    tokens(8, 10, 8),
  );
  assert.deepEqual(e.path, ["children", 2, "heads"]);
  assert.equal(e.message, "model.children[2].heads: expected a divisor of dim 64, got 5");
});

test("a residual whose child changes the shape fails at the child", () => {
  const e = fitErrorOf(
    { unit: "sequential", children: [{ unit: "embedding", dim: 16 }, { unit: "residual", child: { unit: "linear", width: 8 } }, { unit: "readout" }] },
    tokens(6, 4, 6),
  );
  assert.deepEqual(e.path, ["children", 1, "child"]);
  assert.match(e.message, /^model\.children\[1\]\.child: expected an output of its input's shape \(sequence of length 6 and dim 16\)/);
  assert.equal(e.found, "sequence of length 6 and dim 8");
});

test("attention on a vector input fails at the attention unit", () => {
  const e = fitErrorOf({ unit: "sequential", children: [{ unit: "linear", width: 8 }, { unit: "attention", heads: 2 }, { unit: "readout" }] }, vectors(2, 2));
  assert.deepEqual(e.path, ["children", 1]);
  assert.equal(e.message, "model.children[1]: expected a sequence input, got vector of dim 8");
});

test("a tree that does not end in the task's output fails at the root", () => {
  const e = fitErrorOf({ unit: "sequential", children: [{ unit: "mlp", width: 64 }] }, vectors(2, 2));
  assert.deepEqual(e.path, []);
  assert.equal(e.message, "model: expected the tree to end in the task's output (2 classes), got vector of dim 64; add a readout unit");
  const seq = fitErrorOf({ unit: "embedding", dim: 8 }, tokens(4, 3, 4));
  assert.equal(seq.message, "model: expected the tree to end in the task's output (3 classes at each of 4 positions), got sequence of length 4 and dim 8; add a readout unit");
});

test("an embedding on a vector input fails at the embedding", () => {
  const e = fitErrorOf({ unit: "sequential", children: [{ unit: "embedding", dim: 8 }, { unit: "readout" }] }, vectors(3, 2));
  assert.deepEqual(e.path, ["children", 0]);
  assert.equal(e.message, "model.children[0]: expected token input (an embedding reads token ids), got vector of dim 3");
});

test("other fit problems carry their paths", () => {
  // float units on tokens
  const t = fitErrorOf({ unit: "sequential", children: [{ unit: "residual", child: { unit: "mlp" } }] }, tokens(4, 3, null));
  assert.deepEqual(t.path, ["children", 0]);
  // a readout per position on a vector
  const r = fitErrorOf({ unit: "sequential", children: [{ unit: "embedding" }, { unit: "pooling" }, { unit: "readout" }] }, tokens(4, 3, 4));
  assert.deepEqual(r.path, ["children", 2]);
  // schema problems (unknown kind, out-of-range field) become fit errors at their path
  const k = fitErrorOf({ unit: "sequential", children: [{ unit: "linear" }, { unit: "conv" } as never] }, vectors(2, 2));
  assert.deepEqual(k.path, ["children", 1, "unit"]);
  const h = fitErrorOf({ unit: "sequential", children: [{ unit: "embedding" }, { unit: "attention", heads: 0 }, { unit: "readout" }] }, tokens(4, 3, 4));
  assert.deepEqual(h.path, ["children", 1, "heads"]);
});
