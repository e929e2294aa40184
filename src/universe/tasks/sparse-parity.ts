// Sparse parity (Barak et al. 2022, "Hidden progress in deep learning"): n random bits
// x_i in {+1, -1}; the label is the parity of a hidden subset of k of them (the subset
// is drawn from the seed), i.e. 1 when an odd number of the relevant bits are -1. With
// probability `noise` a label is flipped. Classes are balanced by construction.
// Inputs are the n bits as f32 ±1 (bit value 1 is written as -1, so the label is
// (1 - prod x_S) / 2).
//
// Difficulty: k grows from 1 (d = 0) to 5 (d = 1) and n from 10 to 40; SGD needs
// on the order of n^k steps to find the subset.

import { z } from "zod";
import type { ParamIssue, TaskFamily, TaskSpec } from "./family.js";
import { assertNoIssues, generatedTask, lerpInt, sampleDistinct, specOf, taskRng } from "./data.js";

const params = z.object({
  n: z.number().int().min(1).max(4096).default(20).describe("number of input bits"),
  k: z.number().int().min(1).max(4096).default(3).describe("number of relevant bits whose parity is the label (k <= n)"),
  noise: z.number().min(0).max(0.5).default(0).describe("probability that a label is flipped"),
});

export type SparseParityParams = z.infer<typeof params>;

/** The relevant bit positions (sorted) that build uses for this seed. */
export function parityBits(p: SparseParityParams, seed: number): number[] {
  return sampleDistinct(taskRng(seed), p.n, p.k).sort((a, b) => a - b);
}

function check(p: SparseParityParams): ParamIssue[] {
  return p.k > p.n ? [{ path: ["k"], message: `k = ${p.k} relevant bits cannot exceed n = ${p.n}` }] : [];
}

function taskSpec(p: SparseParityParams): TaskSpec {
  return specOf({ kind: "vector", dim: p.n }, { kind: "classes", classes: 2, positions: null });
}

export const sparseParity: TaskFamily<typeof params> = {
  name: "sparse-parity",
  summary: "parity of a hidden subset of k out of n ±1 bits, with optional label noise (Barak et al. 2022).",
  params,
  difficulty(d) {
    return { n: lerpInt(10, 40, d), k: lerpInt(1, 5, d) };
  },
  check,
  spec: taskSpec,
  build(p, seed, sizes) {
    assertNoIssues("sparse-parity", check(p));
    const relevant = new Uint8Array(p.n);
    for (const i of parityBits(p, seed)) relevant[i] = 1;
    return generatedTask(taskSpec(p), seed, sizes, (rng, x, xo, y, yo) => {
      let parity = 0;
      for (let i = 0; i < p.n; i++) {
        const bit = rng.uniform() < 0.5 ? 1 : 0;
        x[xo + i] = 1 - 2 * bit;
        parity ^= bit & relevant[i]!;
      }
      y[yo] = rng.uniform() < p.noise ? 1 - parity : parity;
    });
  },
};
