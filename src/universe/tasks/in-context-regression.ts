// In-context linear regression (Garg et al. 2022, "What can transformers learn in
// context?"): every example has its own weights w ~ N(0, I/dim) (so w.x has unit
// variance), `context` pairs (x_i, w.x_i + noise) with x_i ~ N(0, I), and a query x;
// the target is w.x_query + noise. The input is one flat vector:
// [x_1 (dim), y_1, x_2, y_2, ..., x_n, y_n, x_query (dim)], length context*(dim+1)+dim.
//
// Difficulty: dim grows geometrically from 2 (d = 0) to 16 (d = 1) at fixed context,
// so fewer context points per unknown.

import { z } from "zod";
import type { TaskFamily, TaskSpec } from "./family.js";
import { generatedTask, geom, specOf } from "./data.js";

const params = z.object({
  dim: z.number().int().min(1).max(64).default(4).describe("dimension of x and w"),
  context: z.number().int().min(1).max(256).default(16).describe("number of (x, y) example pairs before the query"),
  noise: z.number().min(0).max(10).default(0).describe("std of Gaussian noise on every y, context and target"),
});

export type InContextRegressionParams = z.infer<typeof params>;

function taskSpec(p: InContextRegressionParams): TaskSpec {
  return specOf({ kind: "vector", dim: p.context * (p.dim + 1) + p.dim }, { kind: "regression", dim: 1 });
}

export const inContextRegression: TaskFamily<typeof params> = {
  name: "in-context-regression",
  summary: "predict w.x for a query given context pairs (x, w.x), a fresh w per example (Garg et al. 2022).",
  params,
  difficulty(d) {
    return { dim: Math.round(geom(2, 16, d)) };
  },
  spec: taskSpec,
  build(p, seed, sizes) {
    const w = new Float64Array(p.dim);
    const wStd = 1 / Math.sqrt(p.dim);
    return generatedTask(taskSpec(p), seed, sizes, (rng, x, xo, y, yo) => {
      for (let i = 0; i < p.dim; i++) w[i] = wStd * rng.normal();
      let o = xo;
      for (let c = 0; c <= p.context; c++) {
        let dot = 0;
        for (let i = 0; i < p.dim; i++) {
          const v = Math.fround(rng.normal());
          x[o++] = v;
          dot += w[i]! * v;
        }
        const target = dot + p.noise * rng.normal();
        if (c < p.context) x[o++] = target;
        else y[yo] = target;
      }
    });
  },
};
