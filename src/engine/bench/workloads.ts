// The standard benchmark workloads of /work/shared/anchors/torch_bench.py on our
// engine: the same models, data, initialisation schemes and optimizers, built from
// our seeded Rng. Each builder returns a Workload whose step() runs one training
// step (forward, backward, update) and returns its loss.

import type { Engine } from "../engine.js";
import type { Tensor } from "../tensor.js";
import { backward } from "../autograd.js";
import * as F from "../ops/functions.js";
import { crossEntropy } from "../nn/functional.js";
import { layerNorm } from "../nn/norm.js";
import { causalSelfAttention } from "../nn/attention.js";
import { AdamW, Sgd, type Optimizer } from "../optim/index.js";
import { Rng, Stream, hash3 } from "../rng.js";

export interface Workload {
  /** one training step; returns the loss (the mean over members for a population) */
  step(): number;
  /** models trained by one step */
  members: number;
  dispose(): void;
}

export const workloadNames = ["mlp-wide", "mlp-small", "population", "transformer", "modadd"] as const;
export type WorkloadName = (typeof workloadNames)[number];

export interface WorkloadOptions {
  engine: Engine;
  seed?: number;
}

/** Population size and learning rates of torch_bench's population workload. */
export const POPULATION = 64;
export const populationLr = (i: number, total = POPULATION): number => 0.001 + (0.099 * i) / (total - 1);

/** nn.Linear's default init in x @ W layout: U(-1/sqrt(in), 1/sqrt(in)), shape [in, out]. */
function linearInit(rng: Rng, fanIn: number, size: number): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  const w = new Float32Array(size);
  rng.fillUniform(w, -bound, bound);
  return w;
}

function normal(rng: Rng, size: number, std = 1): Float32Array {
  const w = new Float32Array(size);
  rng.fillNormal(w, std);
  return w;
}

/** One training loop: zero grads, loss, backward, update, all inside a scope. */
function trainer(engine: Engine, opt: Optimizer, lossOf: () => Tensor, owned: Tensor[], read = (l: Tensor) => l.item()): Workload {
  return {
    members: opt.members,
    step: () =>
      engine.scope(() => {
        opt.zeroGrad();
        const loss = lossOf();
        const value = read(loss);
        backward(loss);
        opt.step();
        return value;
      }),
    dispose: () => {
      opt.zeroGrad();
      opt.dispose();
      for (const t of owned) t.dispose();
    },
  };
}

/** The fixed batch of the MLP workloads: x ~ N(0, 1) [256, in], y = i % classes. */
function mlpData(engine: Engine, seed: number, inDim: number, classes: number): [Tensor, Tensor] {
  const x = engine.keep(engine.tensor(normal(new Rng(seed, Stream.data), 256 * inDim), [256, inDim]));
  const y = engine.keep(engine.tensor(Array.from({ length: 256 }, (_, i) => i % classes), [256], "i32"));
  return [x, y];
}

export interface MlpOptions extends WorkloadOptions {
  widths: readonly number[];
  lr?: number;
  /** initial weights [in, out] per layer (default: nn.Linear's init) */
  weights?: Float32Array[];
}

/** A bias-free ReLU MLP on a fixed batch of 256, SGD, softmax cross-entropy. */
export function mlp(o: MlpOptions): Workload {
  const { engine, widths } = o;
  const seed = o.seed ?? 0;
  const rng = new Rng(seed, Stream.init);
  const ws = widths.slice(1).map((out, l) => {
    const fanIn = widths[l]!;
    return engine.parameter(o.weights?.[l] ?? linearInit(rng, fanIn, fanIn * out), [fanIn, out]);
  });
  const [x, y] = mlpData(engine, seed, widths[0]!, widths[widths.length - 1]!);
  const opt = new Sgd(ws, { lr: o.lr ?? 0.01 });
  return trainer(engine, opt, () => crossEntropy(mlpForward(x, ws), y), [...ws, x, y]);
}

function mlpForward(x: Tensor, ws: Tensor[]): Tensor {
  let h = x;
  ws.forEach((w, l) => {
    h = F.matmul(h, w);
    if (l < ws.length - 1) h = F.relu(h);
  });
  return h;
}

export interface PopulationOptions extends WorkloadOptions {
  /** global index of the first member (for a sub-population of a split population) */
  first?: number;
  /** members in this (sub-)population */
  members?: number;
}

export interface PopulationWorkload extends Workload {
  /** the per-member losses of the last step */
  lastLosses: Float32Array;
}

const POP_WIDTHS = [64, 64, 64, 10] as const;

/** Member m's initial weights, as torch-batched: randn(in, out) / sqrt(in), independent of the split. */
export function populationMemberWeights(seed: number, m: number): Float32Array[] {
  const rng = new Rng(hash3(seed, Stream.init, m), Stream.init);
  return POP_WIDTHS.slice(1).map((out, l) => normal(rng, POP_WIDTHS[l]! * out, 1 / Math.sqrt(POP_WIDTHS[l]!)));
}

/**
 * Members first .. first+members-1 of the 64 independent mlp-small models, trained
 * as one engine population: weights [P, in, out], one shared batch x [256, 64].
 */
export function population(o: PopulationOptions): PopulationWorkload {
  const { engine } = o;
  const seed = o.seed ?? 0, first = o.first ?? 0, P = o.members ?? POPULATION;
  const init = Array.from({ length: P }, (_, i) => populationMemberWeights(seed, first + i));
  const ws = POP_WIDTHS.slice(1).map((out, l) => {
    const per = POP_WIDTHS[l]! * out;
    const data = new Float32Array(P * per);
    init.forEach((w, i) => data.set(w[l]!, i * per));
    return engine.parameter(data, [P, POP_WIDTHS[l]!, out]);
  });
  const [x, y] = mlpData(engine, seed, 64, 10);
  const lr = Array.from({ length: P }, (_, i) => populationLr(first + i));
  const opt = new Sgd(ws, { lr, members: P });
  const w: PopulationWorkload = {
    lastLosses: new Float32Array(P),
    ...trainer(engine, opt, () => crossEntropy(mlpForward(x, ws), y, { batchDims: 1 }), [...ws, x, y], (loss) => {
      w.lastLosses = loss.toFloat32();
      return w.lastLosses.reduce((s, v) => s + v, 0) / P;
    }),
  };
  return w;
}

/** One pre-LayerNorm transformer block (torch_bench's Block) on a fixed batch of 64 random sequences. */
export function transformer(o: WorkloadOptions): Workload {
  const { engine } = o;
  const seed = o.seed ?? 0;
  const V = 64, D = 64, H = 4, T = 16, B = 64, M = 4 * D;
  const rng = new Rng(seed, Stream.init);
  const p = (data: Float32Array, shape: number[]) => engine.parameter(data, shape);
  const ones = () => new Float32Array(D).fill(1);
  const xavier = Math.sqrt(6 / (D + 3 * D)); // MultiheadAttention's in_proj [3D, D]
  const attn = () => {
    const w = new Float32Array(D * D);
    rng.fillUniform(w, -xavier, xavier);
    return p(w, [D, D]);
  };
  const P = {
    emb: p(normal(rng, V * D), [V, D]),
    pos: p(normal(rng, T * D, 0.02), [T, D]),
    ln1w: p(ones(), [D]), ln1b: p(new Float32Array(D), [D]),
    wq: attn(), wk: attn(), wv: attn(),
    wo: p(linearInit(rng, D, D * D), [D, D]),
    ln2w: p(ones(), [D]), ln2b: p(new Float32Array(D), [D]),
    fc1w: p(linearInit(rng, D, D * M), [D, M]), fc1b: p(linearInit(rng, D, M), [M]),
    fc2w: p(linearInit(rng, M, M * D), [M, D]), fc2b: p(linearInit(rng, M, D), [D]),
    lnfw: p(ones(), [D]), lnfb: p(new Float32Array(D), [D]),
    out: p(linearInit(rng, D, D * V), [D, V]),
  };
  const data = new Rng(seed, Stream.data);
  const tokens = Array.from({ length: B * (T + 1) }, () => data.int(V));
  const pick = (off: number) => Array.from({ length: B * T }, (_, i) => tokens[Math.floor(i / T) * (T + 1) + (i % T) + off]!);
  const idx = engine.keep(engine.tensor(pick(0), [B, T], "i32"));
  const tgt = engine.keep(engine.tensor(pick(1), [B, T], "i32"));
  const lossOf = () => {
    let h = F.add(F.gather(P.emb, idx), P.pos);
    const a = layerNorm(h, P.ln1w, P.ln1b);
    h = F.add(h, causalSelfAttention(a, P.wq, P.wk, P.wv, P.wo, { heads: H }));
    const m = layerNorm(h, P.ln2w, P.ln2b);
    h = F.add(h, F.add(F.matmul(F.gelu(F.add(F.matmul(m, P.fc1w), P.fc1b)), P.fc2w), P.fc2b));
    return crossEntropy(F.matmul(layerNorm(h, P.lnfw, P.lnfb), P.out), tgt);
  };
  const params = Object.values(P);
  const opt = new AdamW(params, { lr: 1e-3, weightDecay: 0.01 });
  return trainer(engine, opt, lossOf, [...params, idx, tgt]);
}

/** Modular addition mod 97: embeddings of a and b concatenated, MLP 64-128-97, full batch of 40% of all pairs. */
export function modadd(o: WorkloadOptions): Workload {
  const { engine } = o;
  const seed = o.seed ?? 0, p = 97, E = 32, hidden = 128;
  const rng = new Rng(seed, Stream.init);
  const emb = engine.parameter(normal(rng, p * E), [p, E]);
  const w1 = engine.parameter(linearInit(rng, 2 * E, 2 * E * hidden), [2 * E, hidden]);
  const w2 = engine.parameter(linearInit(rng, hidden, hidden * p), [hidden, p]);
  const n = Math.floor(0.4 * p * p);
  const perm = new Rng(seed, Stream.shuffle).permutation(p * p).subarray(0, n);
  const a = engine.keep(engine.tensor(Array.from(perm, (k) => Math.floor(k / p)), [n], "i32"));
  const b = engine.keep(engine.tensor(Array.from(perm, (k) => k % p), [n], "i32"));
  const y = engine.keep(engine.tensor(Array.from(perm, (k) => (Math.floor(k / p) + (k % p)) % p), [n], "i32"));
  const lossOf = () => {
    const h = F.relu(F.matmul(F.concat([F.gather(emb, a), F.gather(emb, b)], -1), w1));
    return crossEntropy(F.matmul(h, w2), y);
  };
  const opt = new AdamW([emb, w1, w2], { lr: 1e-3, weightDecay: 1.0 });
  return trainer(engine, opt, lossOf, [emb, w1, w2, a, b, y]);
}

/** Builds a standard workload by name (the population: all 64 members unless told otherwise). */
export function buildWorkload(name: WorkloadName, o: PopulationOptions): Workload {
  switch (name) {
    case "mlp-wide": return mlp({ ...o, widths: [64, 256, 256, 10] });
    case "mlp-small": return mlp({ ...o, widths: [64, 64, 64, 10] });
    case "population": return population(o);
    case "transformer": return transformer(o);
    case "modadd": return modadd(o);
  }
}

export const isWorkloadName = (s: string): s is WorkloadName => (workloadNames as readonly string[]).includes(s);
