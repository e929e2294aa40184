// Finite-difference gradient checks for every op: central differences of the
// scalar L = sum(out * w) (accumulated in float64) against the autograd gradient.
// The test also proves coverage: every primitive of the rule table must appear in
// the graph of at least one case, so a new op cannot land without a check.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine, Rng, backward, type Backend, type Tensor } from "../../src/engine/index.js";
import { rules } from "../../src/engine/ops/table.js";
import { catalog } from "../helpers/op-catalog.js";

type InputKind = "normal" | "positive" | "awayFromZero" | "distinct" | "cond" | { labels: number };
interface InputSpec { shape: number[]; kind?: InputKind; grad?: boolean }
interface GradCase { name: string; entry: string; attrs?: Record<string, unknown>; inputs: InputSpec[] }

const cases: GradCase[] = [
  { name: "matmul NN", entry: "matmul", inputs: [{ shape: [3, 5] }, { shape: [5, 4] }] },
  { name: "matmul TN", entry: "matmul", attrs: { transA: true }, inputs: [{ shape: [5, 3] }, { shape: [5, 4] }] },
  { name: "matmul NT", entry: "matmul", attrs: { transB: true }, inputs: [{ shape: [3, 5] }, { shape: [4, 5] }] },
  { name: "matmul TT batched", entry: "matmul", attrs: { transA: true, transB: true }, inputs: [{ shape: [2, 5, 3] }, { shape: [2, 4, 5] }] },
  { name: "matmul shared data x population weights", entry: "matmul", inputs: [{ shape: [3, 5] }, { shape: [2, 5, 4] }] },
  { name: "matmul population x shared weights", entry: "matmul", inputs: [{ shape: [2, 3, 5] }, { shape: [5, 4] }] },
  { name: "add broadcast", entry: "add", inputs: [{ shape: [2, 3, 4] }, { shape: [3, 1] }] },
  { name: "sub broadcast", entry: "sub", inputs: [{ shape: [2, 1, 4] }, { shape: [3, 4] }] },
  { name: "mul broadcast", entry: "mul", inputs: [{ shape: [2, 3, 4] }, { shape: [4] }] },
  { name: "div broadcast", entry: "div", inputs: [{ shape: [2, 3, 4] }, { shape: [2, 1, 1], kind: "positive" }] },
  ...["neg", "gelu", "tanh", "sigmoid", "silu", "exp", "square"].map((e) => ({ name: e, entry: e, inputs: [{ shape: [3, 5] }] })),
  ...["relu", "abs"].map((e) => ({ name: e, entry: e, inputs: [{ shape: [3, 5], kind: "awayFromZero" as const }] })),
  ...["log", "sqrt", "rsqrt"].map((e) => ({ name: e, entry: e, inputs: [{ shape: [3, 5], kind: "positive" as const }] })),
  { name: "affine", entry: "affine", attrs: { alpha: -1.5, beta: 0.25 }, inputs: [{ shape: [4, 3] }] },
  { name: "clamp", entry: "clamp", attrs: { min: -0.5, max: 0.5 }, inputs: [{ shape: [4, 6], kind: "distinct" }] },
  { name: "where broadcast", entry: "where", inputs: [{ shape: [3, 1], kind: "cond", grad: false }, { shape: [3, 4] }, { shape: [4] }] },
  { name: "sum axes [0,2]", entry: "sum", attrs: { axes: [0, 2] }, inputs: [{ shape: [2, 3, 4] }] },
  { name: "sum all", entry: "sum", attrs: { axes: null }, inputs: [{ shape: [2, 3] }] },
  { name: "mean axis -1 keepdim", entry: "mean", attrs: { axes: [-1], keepdim: true }, inputs: [{ shape: [2, 3, 4] }] },
  { name: "max axes [0,2]", entry: "max", attrs: { axes: [0, 2] }, inputs: [{ shape: [2, 3, 4], kind: "distinct" }] },
  { name: "max axis 1 keepdim", entry: "max", attrs: { axes: [1], keepdim: true }, inputs: [{ shape: [2, 5, 3], kind: "distinct" }] },
  { name: "reshape", entry: "reshape", attrs: { shape: [6, 4] }, inputs: [{ shape: [2, 3, 4] }] },
  { name: "transpose", entry: "transpose", attrs: { perm: [2, 0, 1, 3] }, inputs: [{ shape: [2, 3, 4, 2] }] },
  { name: "slice", entry: "slice", attrs: { axis: 1, start: 1, end: 3 }, inputs: [{ shape: [2, 4, 3] }] },
  { name: "concat", entry: "concat", attrs: { axis: -1 }, inputs: [{ shape: [2, 3] }, { shape: [2, 2] }] },
  { name: "expand", entry: "expand", attrs: { shape: [2, 3, 4] }, inputs: [{ shape: [3, 1] }] },
  { name: "embedding", entry: "embedding", inputs: [{ shape: [5, 3] }, { shape: [2, 4], kind: { labels: 5 }, grad: false }] },
  {
    name: "embedding population, per-member indices", entry: "embedding", attrs: { perMemberIndex: true },
    inputs: [{ shape: [2, 5, 3] }, { shape: [2, 4], kind: { labels: 5 }, grad: false }],
  },
  { name: "pick shared labels", entry: "pick", inputs: [{ shape: [2, 3, 4] }, { shape: [3], kind: { labels: 4 }, grad: false }] },
  { name: "softmax", entry: "softmax", inputs: [{ shape: [3, 5] }] },
  { name: "logSoftmax", entry: "logSoftmax", inputs: [{ shape: [2, 2, 5] }] },
  { name: "crossEntropy", entry: "crossEntropy", inputs: [{ shape: [4, 5] }, { shape: [4], kind: { labels: 5 }, grad: false }] },
  {
    name: "crossEntropy per member", entry: "crossEntropy", attrs: { batchDims: 1 },
    inputs: [{ shape: [2, 4, 5] }, { shape: [4], kind: { labels: 5 }, grad: false }],
  },
  { name: "mse", entry: "mse", inputs: [{ shape: [3, 4] }, { shape: [3, 4] }] },
  { name: "layerNorm", entry: "layerNorm", attrs: { eps: 1e-5 }, inputs: [{ shape: [3, 6] }, { shape: [6] }, { shape: [6] }] },
  { name: "rmsNorm", entry: "rmsNorm", attrs: { eps: 1e-6 }, inputs: [{ shape: [3, 6] }, { shape: [6] }] },
  {
    name: "causalSelfAttention", entry: "causalSelfAttention", attrs: { heads: 2 },
    inputs: [{ shape: [2, 3, 4] }, { shape: [4, 4] }, { shape: [4, 4] }, { shape: [4, 4] }, { shape: [4, 4] }],
  },
];

function makeInput(engine: Engine, spec: InputSpec, rng: Rng): Tensor {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const kind = spec.kind ?? "normal";
  if (typeof kind === "object") {
    return engine.tensor(Array.from({ length: n }, () => rng.int(kind.labels)), spec.shape, "i32");
  }
  const values = Array.from({ length: n }, (_, i) => {
    if (kind === "positive") return 0.5 + 1.5 * rng.uniform();
    if (kind === "cond") return rng.uniform() < 0.5 ? 1 : 0;
    if (kind === "distinct") return (i - n / 2) * 0.13 + 0.031; // gaps of 0.13: no ties, no kinks within h
    const v = rng.normal();
    return kind === "awayFromZero" && Math.abs(v) < 0.1 ? (v < 0 ? -0.1 : 0.1) - v : v;
  });
  if (kind === "distinct") {
    // shuffle so that the maximum is not always last
    const p = rng.permutation(n);
    return engine.tensor(Array.from(p, (j) => values[j]!), spec.shape, "f32", spec.grad ?? true);
  }
  return engine.tensor(values, spec.shape, "f32", spec.grad ?? kind !== "cond");
}

function opsInGraph(out: Tensor, into: Set<string>): void {
  const stack = [out];
  const seen = new Set<Tensor>();
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t) || !t.node) continue;
    seen.add(t);
    into.add(t.node.op);
    stack.push(...t.node.inputs);
  }
}

for (const backend of ["wasm", "reference"] as Backend[]) test(`finite differences agree with autograd for every op (${backend} kernels)`, async (t) => {
  const engine = new Engine({ backend });
  const covered = new Set<string>();
  const h = 1e-2;
  for (const c of cases) {
    await t.test(c.name, () => {
      engine.scope(() => {
        const rng = new Rng(7, 0);
        const inputs = c.inputs.map((s) => makeInput(engine, s, rng));
        const fn = catalog[c.entry]!;
        const out = fn(inputs, c.attrs ?? {});
        opsInGraph(out, covered);
        const w = Array.from({ length: out.size }, () => rng.normal());
        const seed = engine.tensor(w, out.shape);
        backward(out, seed);
        const lossAt = (): number => engine.noGrad(() => engine.scope(() => {
          const y = fn(inputs, c.attrs ?? {}).toFloat32();
          let s = 0;
          for (let i = 0; i < y.length; i++) s += y[i]! * w[i]!;
          return s;
        }));
        inputs.forEach((x, k) => {
          if (!x.requiresGrad) return;
          const grad = x.grad!.toFloat32();
          const data = x.toFloat32();
          const picks = Array.from({ length: Math.min(x.size, 10) }, () => rng.int(x.size));
          for (const i of picks) {
            const orig = data[i]!;
            data[i] = orig + h; x.set(data);
            const up = lossAt();
            data[i] = orig - h; x.set(data);
            const down = lossAt();
            data[i] = orig; x.set(data);
            const fd = (up - down) / (2 * h);
            const tol = 2e-2 * Math.max(Math.abs(fd), Math.abs(grad[i]!)) + 2e-3;
            assert.ok(Math.abs(fd - grad[i]!) <= tol,
              `${c.name}: input ${k} entry ${i}: autograd ${grad[i]} vs finite difference ${fd}`);
          }
        });
        for (const x of inputs) x.dispose();
      });
    });
  }
  const missing = Object.keys(rules).filter((op) => !covered.has(op));
  assert.deepEqual(missing, [], `primitive ops without a finite-difference check: ${missing.join(", ")}`);
});
