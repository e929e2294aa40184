// 50-step training trajectories against PyTorch from identical initial weights:
// MLPs with SGD (momentum; Nesterov with clipping and a step schedule) and Adam
// (L2 decay, warmup + cosine, clipping), and a one-block pre-LN transformer with AdamW. Loss at every step within 1e-3, final parameters close.

import { test } from "node:test";
import { readFileSync } from "node:fs";
import {
  Adam, AdamW, Engine, F, Sgd, type Schedule, backward, causalSelfAttention, crossEntropy, layerNorm, type Backend, type Optimizer, type Tensor,
} from "../../src/engine/index.js";
import { assertClose } from "../helpers/compare.js";

interface FixtureTensor { shape: number[]; dtype?: "f32" | "i32"; data: number[] }
interface Trajectory {
  name: string;
  model: "mlp" | "transformer";
  config: Record<string, number & unknown>;
  params: Record<string, FixtureTensor>;
  data: { x: FixtureTensor; y: FixtureTensor };
  losses: number[];
  finalParams: Record<string, FixtureTensor>;
}

const fixtures = JSON.parse(readFileSync(new URL("../../../test/fixtures/trajectories.json", import.meta.url), "utf8")) as {
  trajectories: Trajectory[];
};

type Params = Record<string, Tensor>;

function mlpLoss(p: Params, x: Tensor, y: Tensor): Tensor {
  let h = F.relu(F.add(F.matmul(x, p["l0.w"]!), p["l0.b"]!));
  h = F.relu(F.add(F.matmul(h, p["l1.w"]!), p["l1.b"]!));
  return crossEntropy(F.add(F.matmul(h, p["l2.w"]!), p["l2.b"]!), y);
}

function transformerLoss(p: Params, x: Tensor, y: Tensor, cfg: Record<string, number>): Tensor {
  const eps = cfg.ln_eps!;
  let h = F.add(F.gather(p.emb!, x), p.pos!);
  const a = layerNorm(h, p["ln1.w"]!, p["ln1.b"]!, eps);
  h = F.add(h, causalSelfAttention(a, p["attn.wq"]!, p["attn.wk"]!, p["attn.wv"]!, p["attn.wo"]!, { heads: cfg.heads! }));
  const m = layerNorm(h, p["ln2.w"]!, p["ln2.b"]!, eps);
  const f = F.add(F.matmul(F.gelu(F.add(F.matmul(m, p["fc1.w"]!), p["fc1.b"]!)), p["fc2.w"]!), p["fc2.b"]!);
  h = F.add(h, f);
  return crossEntropy(F.matmul(layerNorm(h, p["lnf.w"]!, p["lnf.b"]!, eps), p["out.w"]!), y);
}

interface OptimizerConfig {
  optimizer: "sgd" | "adam" | "adamw";
  lr: number;
  weight_decay: number;
  momentum?: number;
  nesterov?: boolean;
  betas?: [number, number];
  eps?: number;
  schedule?: Schedule;
  clip_norm?: number | null;
}

function makeOptimizer(list: Tensor[], c: OptimizerConfig): Optimizer {
  const common = { lr: c.lr, weightDecay: c.weight_decay, schedule: c.schedule, clipNorm: c.clip_norm ?? undefined };
  if (c.optimizer === "sgd") return new Sgd(list, { ...common, momentum: c.momentum, nesterov: c.nesterov });
  const adam = { ...common, beta1: c.betas![0], beta2: c.betas![1], eps: c.eps };
  return c.optimizer === "adam" ? new Adam(list, adam) : new AdamW(list, adam);
}

for (const backend of ["wasm", "reference"] as Backend[]) {
  for (const traj of fixtures.trajectories) {
    test(`${traj.name} follows PyTorch for 50 steps (${backend} kernels)`, () => {
      const engine = new Engine({ backend });
      const params: Params = {};
      for (const [name, t] of Object.entries(traj.params)) params[name] = engine.parameter(t.data, t.shape);
      const x = engine.keep(engine.tensor(traj.data.x.data, traj.data.x.shape, traj.data.x.dtype ?? "f32"));
      const y = engine.keep(engine.tensor(traj.data.y.data, traj.data.y.shape, "i32"));
      const cfg = traj.config as Record<string, number>;
      const opt = makeOptimizer(Object.values(params), traj.config as unknown as OptimizerConfig);
      const losses: number[] = [];
      for (let step = 0; step < traj.losses.length; step++) {
        engine.scope(() => {
          opt.zeroGrad();
          const loss = traj.model === "mlp" ? mlpLoss(params, x, y) : transformerLoss(params, x, y, cfg);
          losses.push(loss.item());
          backward(loss);
          opt.step();
        });
      }
      assertClose(losses, traj.losses, { rtol: 0, atol: 1e-3, what: `${traj.name} losses` });
      for (const [name, t] of Object.entries(traj.finalParams)) {
        assertClose(params[name]!.toFloat32(), t.data, { rtol: 1e-3, atol: 1e-4, what: `${traj.name} final ${name}` });
      }
    });
  }
}
