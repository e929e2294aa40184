// Bounded Dyck recognition (Dyck-(k, m) as in Hewitt et al. 2020 and Yao et al.
// 2021): sequences of exactly `length` bracket tokens over `types` bracket kinds
// (token 2t opens kind t, 2t+1 closes it); label 1 when the sequence is balanced.
// Half the examples (in expectation) are balanced words drawn uniformly among those
// of nesting depth <= maxDepth. The others corrupt such a word by swapping two tokens
// of different kinds, so every token count is unchanged (counting cannot tell), the
// first token still opens, the last still closes and the prefix depth never exceeds
// maxDepth; only the bracket structure (order, or kind matching) is wrong.
//
// Difficulty: length grows from 8 (d = 0) to 48 (d = 1), maxDepth from 2 to 8 and
// types from 1 to 3.

import { z } from "zod";
import type { ParamIssue, TaskFamily, TaskSpec } from "./family.js";
import { assertNoIssues, generatedTask, lerpInt, specOf } from "./data.js";
import type { Rng } from "../../engine/rng.js";

const params = z.object({
  types: z.number().int().min(1).max(16).default(2).describe("number of bracket kinds (vocab is 2 * types)"),
  maxDepth: z.number().int().min(1).max(256).default(4).describe("largest nesting depth of the balanced words"),
  length: z.number().int().min(2).max(512).default(16).describe("tokens per sequence (even)"),
});

export type DyckParams = z.infer<typeof params>;

function check(p: DyckParams): ParamIssue[] {
  return p.length % 2 === 0 ? [] : [{ path: ["length"], message: `length ${p.length} must be even` }];
}

function taskSpec(p: DyckParams): TaskSpec {
  return specOf({ kind: "tokens", length: p.length, vocab: 2 * p.types }, { kind: "classes", classes: 2, positions: null });
}

/** True when the tokens (2t open, 2t+1 close) form a balanced word. */
export function isBalanced(tokens: ArrayLike<number>): boolean {
  const stack: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t % 2 === 0) stack.push(t);
    else if (stack.pop() !== t - 1) return false;
  }
  return stack.length === 0;
}

/** The largest prefix depth (opens minus closes). */
function maxPrefixDepth(tokens: ArrayLike<number>): number {
  let h = 0, m = 0;
  for (let i = 0; i < tokens.length; i++) {
    h += tokens[i]! % 2 === 0 ? 1 : -1;
    if (h > m) m = h;
  }
  return m;
}

/** ways[r * (D + 1) + h]: balanced completions of r more tokens from depth h, depth <= D. */
function completionCounts(L: number, D: number): Float64Array {
  const ways = new Float64Array((L + 1) * (D + 1));
  ways[0] = 1;
  for (let r = 1; r <= L; r++) {
    for (let h = 0; h <= D; h++) {
      const up = h < D ? ways[(r - 1) * (D + 1) + h + 1]! : 0;
      const down = h > 0 ? ways[(r - 1) * (D + 1) + h - 1]! : 0;
      ways[r * (D + 1) + h] = up + down;
    }
  }
  return ways;
}

/** A uniformly random balanced word of depth <= D (uniform path, uniform kinds). */
function balancedWord(rng: Rng, out: Int32Array, types: number, D: number, ways: Float64Array): void {
  const L = out.length;
  const stack: number[] = [];
  for (let pos = 0; pos < L; pos++) {
    const r = L - pos, h = stack.length;
    const up = h < D ? ways[(r - 1) * (D + 1) + h + 1]! : 0;
    const down = h > 0 ? ways[(r - 1) * (D + 1) + h - 1]! : 0;
    if (rng.uniform() * (up + down) < up) {
      const t = rng.int(types);
      stack.push(t);
      out[pos] = 2 * t;
    } else {
      out[pos] = 2 * stack.pop()! + 1;
    }
  }
}

/** Swaps two tokens of different kinds so the word becomes unbalanced without a surface cue. */
function corrupt(rng: Rng, word: Int32Array, D: number): void {
  const L = word.length;
  for (let attempt = 0; attempt < 200; attempt++) {
    const i = rng.int(L), j = rng.int(L);
    const a = word[i]!, b = word[j]!;
    if (a === b) continue;
    word[i] = b;
    word[j] = a;
    if (word[0]! % 2 === 0 && word[L - 1]! % 2 === 1 && !isBalanced(word) && maxPrefixDepth(word) <= D) return;
    word[i] = a;
    word[j] = b;
  }
  // Rare fallback (tiny words): open with the final closer, which always unbalances.
  const first = word[0]!;
  word[0] = word[L - 1]!;
  word[L - 1] = first;
}

export const dyck: TaskFamily<typeof params> = {
  name: "dyck",
  summary: "decide whether a bracket sequence over several kinds is balanced; negatives are subtle swaps.",
  params,
  difficulty(d) {
    return { length: 2 * lerpInt(4, 24, d), maxDepth: lerpInt(2, 8, d), types: lerpInt(1, 3, d) };
  },
  check,
  spec: taskSpec,
  build(p, seed, sizes) {
    assertNoIssues("dyck", check(p));
    const D = Math.min(p.maxDepth, p.length / 2);
    const ways = completionCounts(p.length, D);
    const word = new Int32Array(p.length);
    return generatedTask(taskSpec(p), seed, sizes, (rng, x, xo, y, yo) => {
      const positive = rng.uniform() < 0.5;
      balancedWord(rng, word, p.types, D, ways);
      if (!positive) corrupt(rng, word, D);
      x.set(word, xo);
      y[yo] = positive ? 1 : 0;
    });
  },
};
