// A small population MLP for engine tests: P members, each with its own init seed,
// weights [P, in, out] and biases [P, 1, out], trained on one shared batch.

import { Adam, Engine, F, Rng, Stream, backward, crossEntropy, type Optimizer, type Tensor } from "../../src/engine/index.js";

export interface MemberSpec { seed: number; lr: number; weightDecay?: number; beta1?: number }

export interface PopulationRun {
  /** losses[step][member] */
  losses: number[][];
  /** final parameters, per member, flattened per parameter */
  params: Float32Array[][];
  frozen: number[];
}

const SIZES = [6, 12, 12, 3];
const BATCH = 10;

export function sharedBatch(engine: Engine): { x: Tensor; y: Tensor } {
  const rng = new Rng(99, Stream.data);
  const x = new Float32Array(BATCH * SIZES[0]!);
  rng.fillNormal(x);
  const y = Array.from({ length: BATCH }, (_, i) => i % SIZES[3]!);
  return { x: engine.keep(engine.tensor(x, [BATCH, SIZES[0]!])), y: engine.keep(engine.tensor(y, [BATCH], "i32")) };
}

/** Trains the members as one population for `steps` steps with per-member Adam. */
export function trainPopulation(engine: Engine, members: MemberSpec[], steps: number): PopulationRun {
  const P = members.length;
  const params: Tensor[] = [];
  for (let l = 0; l + 1 < SIZES.length; l++) {
    const [fanIn, fanOut] = [SIZES[l]!, SIZES[l + 1]!];
    const w = new Float32Array(P * fanIn * fanOut);
    const b = new Float32Array(P * fanOut);
    members.forEach((m, p) => {
      // member p's init depends only on its own seed and the layer
      const rng = new Rng(m.seed, Stream.init, l * 1_000_000);
      for (let i = 0; i < fanIn * fanOut; i++) w[p * fanIn * fanOut + i] = rng.normal() / Math.sqrt(fanIn);
      for (let i = 0; i < fanOut; i++) b[p * fanOut + i] = 0.1 * rng.normal();
    });
    params.push(engine.parameter(w, [P, fanIn, fanOut]), engine.parameter(b, [P, 1, fanOut]));
  }
  const opt: Optimizer = new Adam(params, {
    members: P,
    lr: members.map((m) => m.lr),
    weightDecay: members.map((m) => m.weightDecay ?? 0),
    beta1: members.map((m) => m.beta1 ?? 0.9),
  });
  const { x, y } = sharedBatch(engine);
  const losses: number[][] = [];
  for (let step = 0; step < steps; step++) {
    engine.scope(() => {
      opt.zeroGrad();
      let h: Tensor = x;
      for (let l = 0; l < params.length; l += 2) {
        h = F.add(F.matmul(h, params[l]!), params[l + 1]!);
        if (l + 2 < params.length) h = F.tanh(h);
      }
      const loss = crossEntropy(h, y, { batchDims: 1 }); // [P]
      const values = Array.from(loss.toFloat32());
      losses.push(values);
      values.forEach((v, m) => !Number.isFinite(v) && opt.freeze(m));
      backward(loss);
      opt.step();
    });
  }
  const result: PopulationRun = {
    losses,
    params: members.map((_, m) => params.map((p) => p.toFloat32().slice((m * p.size) / P, ((m + 1) * p.size) / P))),
    frozen: Array.from(opt.frozen).flatMap((f, m) => (f ? [m] : [])),
  };
  opt.dispose();
  for (const p of params) p.dispose();
  x.dispose();
  y.dispose();
  return result;
}
