// Sequence transduction: a sequence of `length` tokens uniform over `vocab` maps to
// its copy, its reverse or its sorted (ascending) version, one target token per
// position (the algorithmic tasks of Graves et al. 2014, "Neural Turing Machines").
// Labels at each position are token ids, so the model outputs `vocab` classes per
// position.
//
// Difficulty: length grows from 4 (d = 0) to 24 (d = 1) and vocab from 4 to 32.

import { z } from "zod";
import type { TaskFamily, TaskSpec } from "./family.js";
import { generatedTask, lerpInt, specOf } from "./data.js";

export const sequenceOps = ["copy", "reverse", "sort"] as const;

const params = z.object({
  op: z.enum(sequenceOps).default("reverse").describe("target sequence: copy, reverse or sort (ascending) of the input"),
  length: z.number().int().min(1).max(1024).default(8).describe("sequence length (input and target)"),
  vocab: z.number().int().min(2).max(4096).default(10).describe("number of distinct tokens"),
});

export type SequenceParams = z.infer<typeof params>;

function taskSpec(p: SequenceParams): TaskSpec {
  return specOf({ kind: "tokens", length: p.length, vocab: p.vocab }, { kind: "classes", classes: p.vocab, positions: p.length });
}

export const sequence: TaskFamily<typeof params> = {
  name: "sequence",
  summary: "copy, reverse or sort a random token sequence; one target token per position.",
  params,
  difficulty(d) {
    return { length: lerpInt(4, 24, d), vocab: lerpInt(4, 32, d) };
  },
  spec: taskSpec,
  build(p, seed, sizes) {
    const L = p.length;
    const tmp = new Int32Array(L);
    return generatedTask(taskSpec(p), seed, sizes, (rng, x, xo, y, yo) => {
      for (let i = 0; i < L; i++) x[xo + i] = tmp[i] = rng.int(p.vocab);
      if (p.op === "sort") tmp.sort();
      for (let i = 0; i < L; i++) y[yo + i] = p.op === "reverse" ? tmp[L - 1 - i]! : tmp[i]!;
    });
  },
};
