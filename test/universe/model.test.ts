// Built models train, and a population trains each member bitwise as it trains alone.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Adam, Engine, Rng, Stream, backward, type Tensor } from "../../src/engine/index.js";
import type { TaskSpec } from "../../src/universe/tasks/family.js";
import { buildModel, memberParams, type Model } from "../../src/universe/model.js";
import type { UnitTreeInput } from "../../src/universe/units/index.js";

interface Run {
  /** losses[step][member] */
  losses: number[][];
  params: Float32Array[][];
  accuracy: Float64Array | null;
}

function train(engine: Engine, model: Model, x: Tensor, y: Tensor, lrs: number[], steps: number, dropoutSeeds: number[]): Run {
  const opt = new Adam(model.params.map((p) => p.tensor), { members: model.members, lr: lrs });
  const losses: number[][] = [];
  for (let step = 0; step < steps; step++) {
    engine.scope(() => {
      opt.zeroGrad();
      const loss = model.loss(model.forward(x, { training: true, step, dropoutSeeds }), y);
      assert.deepEqual(loss.shape, [model.members]);
      losses.push(Array.from(loss.toFloat32()));
      backward(loss);
      opt.step();
    });
  }
  const accuracy = model.accuracy
    ? engine.scope(() => engine.noGrad(() => model.accuracy!(model.forward(x, { training: false, step: 0, dropoutSeeds }), y)))
    : null;
  opt.dispose();
  return { losses, params: Array.from({ length: model.members }, (_, m) => memberParams(model, m)), accuracy };
}

/** Repeats one member's data P times along a new leading axis. */
function tile(data: ArrayLike<number>, P: number): number[] {
  const out: number[] = [];
  for (let p = 0; p < P; p++) for (let i = 0; i < data.length; i++) out.push(data[i]!);
  return out;
}

function trainsDown(name: string, spec: TaskSpec, tree: UnitTreeInput, data: { x: number[]; y: number[]; B: number }, lr: number): void {
  test(`${name}: the loss decreases in 30 Adam steps`, () => {
    const engine = new Engine();
    const P = 2;
    const model = buildModel(engine, tree, spec, { members: P, initSeeds: [3, 4], initScales: [1, 1] });
    const xShape = [P, data.B, spec.input.kind === "vector" ? spec.input.dim : spec.input.length];
    const x = engine.keep(engine.tensor(tile(data.x, P), xShape, spec.input.kind === "vector" ? "f32" : "i32"));
    const yShape = spec.output.kind === "regression" ? [P, data.B, spec.output.dim]
      : spec.output.positions === null ? [P, data.B] : [P, data.B, spec.output.positions];
    const y = engine.keep(engine.tensor(tile(data.y, P), yShape, spec.output.kind === "regression" ? "f32" : "i32"));
    const run = train(engine, model, x, y, [lr, lr], 30, [1, 2]);
    for (let m = 0; m < P; m++) {
      const first = run.losses[0]![m]!, last = run.losses[29]![m]!;
      assert.ok(last < 0.7 * first, `member ${m}: loss ${first} -> ${last}`);
    }
    if (run.accuracy) for (const a of run.accuracy) assert.ok(a >= 0 && a <= 1);
    model.dispose();
    x.dispose();
    y.dispose();
  });
}

// 2-D points, 2 classes: the sign of x0 * x1 (XOR-like quadrants)
{
  const rng = new Rng(7, Stream.data);
  const B = 64, x: number[] = [], y: number[] = [];
  for (let i = 0; i < B; i++) {
    const a = 2 * rng.uniform() - 1, b = 2 * rng.uniform() - 1;
    x.push(a, b);
    y.push(a * b > 0 ? 1 : 0);
  }
  trainsDown(
    "vector classification",
    { input: { kind: "vector", dim: 2 }, output: { kind: "classes", classes: 2, positions: null }, loss: "crossEntropy", metrics: ["loss", "accuracy"] },
    { unit: "sequential", children: [{ unit: "mlp", width: 32, depth: 2, activation: "tanh" }, { unit: "activation", fn: "tanh" }, { unit: "readout" }] },
    { x, y, B },
    0.03,
  );
}

// token sequences, a label per position: the previous token (0 at the first position)
{
  const rng = new Rng(8, Stream.data);
  const B = 16, T = 6, V = 5, x: number[] = [], y: number[] = [];
  for (let i = 0; i < B; i++) {
    const row = Array.from({ length: T }, () => rng.int(V));
    x.push(...row);
    y.push(0, ...row.slice(0, -1));
  }
  trainsDown(
    "token sequence, per position",
    { input: { kind: "tokens", length: T, vocab: V }, output: { kind: "classes", classes: V, positions: T }, loss: "crossEntropy", metrics: ["loss", "accuracy"] },
    {
      unit: "sequential",
      children: [
        { unit: "embedding", dim: 16 },
        { unit: "residual", child: { unit: "sequential", children: [{ unit: "norm" }, { unit: "attention", heads: 2 }] } },
        { unit: "residual", child: { unit: "sequential", children: [{ unit: "norm" }, { unit: "mlp", width: 32, out: 16, activation: "gelu" }] } },
        { unit: "norm" },
        { unit: "readout" },
      ],
    },
    { x, y, B },
    0.01,
  );
}

// regression: a fixed linear map of 4 features to 2 targets
{
  const rng = new Rng(9, Stream.data);
  const B = 32, x: number[] = [], y: number[] = [];
  for (let i = 0; i < B; i++) {
    const f = Array.from({ length: 4 }, () => rng.normal());
    x.push(...f);
    y.push(f[0]! - 0.5 * f[2]!, f[1]! + f[3]! * 0.3);
  }
  trainsDown(
    "regression",
    { input: { kind: "vector", dim: 4 }, output: { kind: "regression", dim: 2 }, loss: "mse", metrics: ["loss"] },
    { unit: "sequential", children: [{ unit: "linear", width: 16 }, { unit: "activation", fn: "silu" }, { unit: "glu", width: 8 }, { unit: "readout" }] },
    { x, y, B },
    0.02,
  );
}

test("a population of 3 trains each member bitwise as it trains alone", () => {
  const engine = new Engine();
  const T = 5, V = 6, B = 8;
  const spec: TaskSpec = { input: { kind: "tokens", length: T, vocab: V }, output: { kind: "classes", classes: 3, positions: null }, loss: "crossEntropy", metrics: ["loss", "accuracy"] };
  const tree: UnitTreeInput = {
    unit: "sequential",
    children: [
      { unit: "embedding", dim: 8 },
      { unit: "dropout", p: 0.1 },
      { unit: "residual", child: { unit: "sequential", children: [{ unit: "norm" }, { unit: "attention", heads: 2 }] } },
      { unit: "residual", child: { unit: "sequential", children: [{ unit: "norm", kind: "rms" }, { unit: "mlp", width: 16, out: 8, activation: "gelu" }, { unit: "dropout", p: 0.2 }] } },
      { unit: "norm" },
      { unit: "readout", pool: "last" },
    ],
  };
  const rng = new Rng(11, Stream.data);
  const xs = Array.from({ length: B * T }, () => rng.int(V));
  const ys = Array.from({ length: B }, (_, i) => xs[i * T]! % 3);
  const members = [
    { seed: 21, lr: 0.01, scale: 1, dropout: 31 },
    { seed: 22, lr: 0.003, scale: 0.5, dropout: 32 },
    { seed: 23, lr: 0.03, scale: 2, dropout: 33 },
  ];
  const run = (ms: typeof members): Run => {
    const P = ms.length;
    const model = buildModel(engine, tree, spec, { members: P, initSeeds: ms.map((m) => m.seed), initScales: ms.map((m) => m.scale) });
    const x = engine.keep(engine.tensor(tile(xs, P), [P, B, T], "i32"));
    const y = engine.keep(engine.tensor(tile(ys, P), [P, B], "i32"));
    const r = train(engine, model, x, y, ms.map((m) => m.lr), 8, ms.map((m) => m.dropout));
    model.dispose();
    x.dispose();
    y.dispose();
    return r;
  };
  const together = run(members);
  members.forEach((m, i) => {
    const alone = run([m]);
    assert.deepEqual(together.losses.map((l) => l[i]), alone.losses.map((l) => l[0]), `member ${i} losses`);
    assert.deepEqual(together.params[i], alone.params[0], `member ${i} final parameters`);
    assert.equal(together.accuracy![i], alone.accuracy![0], `member ${i} accuracy`);
  });
  assert.notDeepEqual(together.losses[0]![0], together.losses[0]![1], "members differ");
});

test("a member's initial parameters do not depend on the population", () => {
  const engine = new Engine();
  const spec: TaskSpec = { input: { kind: "vector", dim: 3 }, output: { kind: "regression", dim: 2 }, loss: "mse", metrics: ["loss"] };
  const tree: UnitTreeInput = { unit: "sequential", children: [{ unit: "mlp", width: 5 }, { unit: "norm" }, { unit: "readout" }] };
  const pop = buildModel(engine, tree, spec, { members: 3, initSeeds: [7, 8, 9], initScales: [1, 1, 3] });
  const alone = buildModel(engine, tree, spec, { members: 1, initSeeds: [9], initScales: [3] });
  assert.deepEqual(memberParams(pop, 2), memberParams(alone, 0));
  assert.notDeepEqual(memberParams(pop, 0), memberParams(pop, 1));
  assert.deepEqual(pop.params.map((p) => p.name), ["children[0].layers[0].weight", "children[0].layers[0].bias", "children[0].layers[1].weight",
    "children[0].layers[1].bias", "children[1].gain", "children[1].bias", "children[2].weight", "children[2].bias"]);
  pop.dispose();
  alone.dispose();
});
