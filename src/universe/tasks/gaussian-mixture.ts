// Gaussian mixture classification: one isotropic unit-variance Gaussian per class.
// The class means are separation/sqrt(2) times orthonormal random directions (when
// classes <= dim; further classes get independent random unit directions), so two
// means lie `separation` noise standard deviations apart. A label is drawn uniformly,
// the input from its Gaussian, and with probability labelNoise the label is replaced
// by a uniformly random class (possibly the same), so classes stay balanced.
//
// Difficulty: separation shrinks geometrically from 4 (d = 0) to 0.5 (d = 1).

import { z } from "zod";
import type { TaskFamily, TaskSpec } from "./family.js";
import { generatedTask, geom, specOf, taskRng } from "./data.js";

const params = z.object({
  dim: z.number().int().min(1).max(1024).default(8).describe("input dimension"),
  classes: z.number().int().min(2).max(256).default(4).describe("number of classes (one Gaussian each)"),
  separation: z.number().min(0).max(100).default(2).describe("distance between class means in units of the noise std"),
  labelNoise: z.number().min(0).max(1).default(0).describe("probability that a label is replaced by a uniformly random class"),
});

export type GaussianMixtureParams = z.infer<typeof params>;

function taskSpec(p: GaussianMixtureParams): TaskSpec {
  return specOf({ kind: "vector", dim: p.dim }, { kind: "classes", classes: p.classes, positions: null });
}

/** classes x dim means, row-major. */
export function mixtureMeans(p: GaussianMixtureParams, seed: number): Float64Array {
  const rng = taskRng(seed);
  const means = new Float64Array(p.classes * p.dim);
  for (let c = 0; c < p.classes; c++) {
    const row = means.subarray(c * p.dim, (c + 1) * p.dim);
    for (;;) {
      for (let i = 0; i < p.dim; i++) row[i] = rng.normal();
      // Gram-Schmidt against earlier means while they can all be orthogonal.
      if (c < p.dim) {
        for (let e = 0; e < c; e++) {
          const prev = means.subarray(e * p.dim, (e + 1) * p.dim);
          let dot = 0;
          for (let i = 0; i < p.dim; i++) dot += row[i]! * prev[i]!;
          for (let i = 0; i < p.dim; i++) row[i] = row[i]! - dot * prev[i]!;
        }
      }
      let norm = 0;
      for (let i = 0; i < p.dim; i++) norm += row[i]! * row[i]!;
      norm = Math.sqrt(norm);
      if (norm > 1e-6) {
        for (let i = 0; i < p.dim; i++) row[i] = row[i]! / norm;
        break;
      }
    }
  }
  const scale = p.separation / Math.SQRT2;
  for (let i = 0; i < means.length; i++) means[i] = means[i]! * scale;
  return means;
}

export const gaussianMixture: TaskFamily<typeof params> = {
  name: "gaussian-mixture",
  summary: "classify points drawn from one unit Gaussian per class, means a given distance apart.",
  params,
  difficulty(d) {
    return { separation: Math.round(geom(4, 0.5, d) * 1000) / 1000 };
  },
  spec: taskSpec,
  build(p, seed, sizes) {
    const means = mixtureMeans(p, seed);
    return generatedTask(taskSpec(p), seed, sizes, (rng, x, xo, y, yo) => {
      const c = rng.int(p.classes);
      for (let i = 0; i < p.dim; i++) x[xo + i] = means[c * p.dim + i]! + rng.normal();
      y[yo] = rng.uniform() < p.labelNoise ? rng.int(p.classes) : c;
    });
  },
};
