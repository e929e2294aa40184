// The 2-D classification sets of the TensorFlow Playground (Smilkov & Carter 2016),
// scaled to about [-1, 1]^2, two balanced classes:
//   two-gaussians  blobs of std 0.2 around (-0.5, -0.5) and (0.5, 0.5)
//   circles        a disc of radius 0.5 (class 0) inside a ring 0.7..1 (class 1)
//   xor            uniform points kept 0.06 off the axes; class 1 where x*y < 0
//   spiral         two interleaved spirals of 1.75 turns, radius growing to 1
// Every point then gets isotropic Gaussian input noise of std `noise`.
//
// Difficulty: the dataset steps through two-gaussians, circles, xor, spiral as d
// goes from 0 to 1, and noise grows from 0 to 0.2.

import { z } from "zod";
import type { TaskFamily, TaskSpec } from "./family.js";
import { clamp01, generatedTask, specOf } from "./data.js";

/** From easiest to hardest. */
export const playgroundSets = ["two-gaussians", "circles", "xor", "spiral"] as const;

const params = z.object({
  dataset: z.enum(playgroundSets).default("circles").describe("which 2-D set: two-gaussians, circles, xor or spiral"),
  noise: z.number().min(0).max(2).default(0.05).describe("std of Gaussian noise added to each coordinate"),
});

export type PlaygroundParams = z.infer<typeof params>;

function taskSpec(_p: PlaygroundParams): TaskSpec {
  return specOf({ kind: "vector", dim: 2 }, { kind: "classes", classes: 2, positions: null });
}

export const playground: TaskFamily<typeof params> = {
  name: "playground",
  summary: "the 2-D TensorFlow Playground sets (two-gaussians, circles, xor, spiral) with input noise.",
  params,
  difficulty(d) {
    const c = clamp01(d);
    return {
      dataset: playgroundSets[Math.min(playgroundSets.length - 1, Math.floor(c * playgroundSets.length))]!,
      noise: Math.round(0.2 * c * 1000) / 1000,
    };
  },
  spec: taskSpec,
  build(p, seed, sizes) {
    return generatedTask(taskSpec(p), seed, sizes, (rng, x, xo, y, yo) => {
      const label = rng.uniform() < 0.5 ? 0 : 1;
      let u = 0, v = 0, cls = label;
      switch (p.dataset) {
        case "two-gaussians": {
          const m = label === 0 ? -0.5 : 0.5;
          u = m + 0.2 * rng.normal();
          v = m + 0.2 * rng.normal();
          break;
        }
        case "circles": {
          const r = label === 0 ? 0.5 * rng.uniform() : 0.7 + 0.3 * rng.uniform();
          const a = 2 * Math.PI * rng.uniform();
          u = r * Math.cos(a);
          v = r * Math.sin(a);
          break;
        }
        case "xor": {
          u = 2 * rng.uniform() - 1;
          v = 2 * rng.uniform() - 1;
          u += u >= 0 ? 0.06 : -0.06;
          v += v >= 0 ? 0.06 : -0.06;
          cls = u * v < 0 ? 1 : 0;
          break;
        }
        case "spiral": {
          const t = rng.uniform();
          const a = 1.75 * 2 * Math.PI * t + label * Math.PI;
          u = t * Math.sin(a);
          v = t * Math.cos(a);
          break;
        }
      }
      x[xo] = u + p.noise * rng.normal();
      x[xo + 1] = v + p.noise * rng.normal();
      y[yo] = cls;
    });
  },
};
