// Associative recall (Ba et al. 2016, "Using fast weights"; the multi-query form is
// Zoology's MQAR, Arora et al. 2023): the input lists `pairs` key-value pairs and then
// a query key, k1 v1 k2 v2 ... kP vP q; the label is the value paired with q. Keys are
// distinct within an example. The vocabulary is split: tokens [0, K) are keys,
// K = floor(vocab / 2), and tokens [K, vocab) are values; the label is the value's
// index (token - K), so there are vocab - K classes, drawn uniformly.
//
// Difficulty: pairs grows geometrically from 2 (d = 0) to 16 (d = 1) and the vocab
// with it (4 * pairs, so keys stay plentiful).

import { z } from "zod";
import type { ParamIssue, TaskFamily, TaskSpec } from "./family.js";
import { assertNoIssues, generatedTask, geom, sampleDistinct, specOf } from "./data.js";

const params = z.object({
  vocab: z.number().int().min(4).max(8192).default(32).describe("token vocabulary: the lower half are keys, the upper half values"),
  pairs: z.number().int().min(1).max(1024).default(4).describe("key-value pairs before the query (at most vocab / 2)"),
});

export type AssociativeRecallParams = z.infer<typeof params>;

const keyCount = (p: AssociativeRecallParams) => Math.floor(p.vocab / 2);

function check(p: AssociativeRecallParams): ParamIssue[] {
  return p.pairs > keyCount(p)
    ? [{ path: ["pairs"], message: `${p.pairs} pairs need distinct keys but vocab ${p.vocab} has only ${keyCount(p)} keys` }]
    : [];
}

function taskSpec(p: AssociativeRecallParams): TaskSpec {
  return specOf(
    { kind: "tokens", length: 2 * p.pairs + 1, vocab: p.vocab },
    { kind: "classes", classes: p.vocab - keyCount(p), positions: null },
  );
}

export const associativeRecall: TaskFamily<typeof params> = {
  name: "associative-recall",
  summary: "read key-value pairs, then return the value of a queried key.",
  params,
  difficulty(d) {
    const pairs = Math.round(geom(2, 16, d));
    return { pairs, vocab: 4 * pairs };
  },
  check,
  spec: taskSpec,
  build(p, seed, sizes) {
    assertNoIssues("associative-recall", check(p));
    const K = keyCount(p), V = p.vocab - K;
    return generatedTask(taskSpec(p), seed, sizes, (rng, x, xo, y, yo) => {
      const keys = sampleDistinct(rng, K, p.pairs);
      let answer = 0;
      const q = rng.int(p.pairs);
      for (let i = 0; i < p.pairs; i++) {
        const value = rng.int(V);
        x[xo + 2 * i] = keys[i]!;
        x[xo + 2 * i + 1] = K + value;
        if (i === q) answer = value;
      }
      x[xo + 2 * p.pairs] = keys[q]!;
      y[yo] = answer;
    });
  },
};
