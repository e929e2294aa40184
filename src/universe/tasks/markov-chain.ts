// Next-token prediction on a random sparse Markov chain (an n-gram language, the
// setting of e.g. Edelman et al. 2024 with one fixed chain): for each context of the
// last `order` states, `support` distinct next states are allowed, with
// probabilities drawn from a symmetric Dirichlet(concentration) (small concentration:
// peaked, low-entropy transitions). A sequence starts from uniformly random states and
// runs length + 1 steps; the input is its first `length` tokens and the target at
// position t is token t + 1. The best achievable loss is the chain's conditional
// entropy (positions before `order` tokens have a shorter context).
//
// Difficulty: states grows geometrically from 4 (d = 0) to 32 (d = 1) and the order
// becomes 2 from d = 0.5 on.

import { z } from "zod";
import type { ParamIssue, TaskFamily, TaskSpec } from "./family.js";
import { assertNoIssues, generatedTask, geom, sampleDistinct, specOf, taskRng } from "./data.js";
import type { Rng } from "../../engine/rng.js";

const params = z.object({
  states: z.number().int().min(2).max(1024).default(16).describe("number of states (token vocab and classes)"),
  order: z.number().int().min(1).max(2).default(1).describe("how many previous states the next one depends on (1 or 2)"),
  support: z.number().int().min(1).max(1024).default(4).describe("allowed next states per context (<= states)"),
  concentration: z.number().min(0.01).max(100).default(1).describe("Dirichlet concentration of each context's transition probabilities"),
  length: z.number().int().min(1).max(4096).default(32).describe("tokens per sequence (and target positions)"),
});

export type MarkovChainParams = z.infer<typeof params>;

/** Contexts times support is capped at this many transitions. */
export const MAX_TRANSITIONS = 2 ** 22;

function check(p: MarkovChainParams): ParamIssue[] {
  const issues: ParamIssue[] = [];
  if (p.support > p.states) issues.push({ path: ["support"], message: `support ${p.support} exceeds states ${p.states}` });
  const transitions = p.states ** p.order * p.support;
  if (transitions > MAX_TRANSITIONS) {
    issues.push({ path: ["states"], message: `states^order * support = ${transitions} exceeds ${MAX_TRANSITIONS}` });
  }
  return issues;
}

function taskSpec(p: MarkovChainParams): TaskSpec {
  return specOf(
    { kind: "tokens", length: p.length, vocab: p.states },
    { kind: "classes", classes: p.states, positions: p.length },
  );
}

/** log of a Gamma(a, 1) draw (Marsaglia-Tsang; boosted for a < 1, in log space so tiny a cannot underflow). */
function logGamma(rng: Rng, a: number): number {
  const boost = a < 1 ? Math.log(1 - rng.uniform()) / a : 0;
  const s = a < 1 ? a + 1 : a;
  const d = s - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const v0 = 1 + c * x;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = 1 - rng.uniform();
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
      return Math.log(d * v) + boost;
    }
  }
}

export interface MarkovTable {
  /** next[ctx * support + j]: the j-th allowed next state of context ctx */
  next: Int32Array;
  /** cdf[ctx * support + j]: cumulative probability up to and including j */
  cdf: Float64Array;
}

/** The chain's transitions; the context of states (a, b), b the latest, is a * states + b (order 2) or b. */
export function markovTable(p: MarkovChainParams, seed: number): MarkovTable {
  const rng = taskRng(seed);
  const contexts = p.states ** p.order, K = p.support;
  const next = new Int32Array(contexts * K), cdf = new Float64Array(contexts * K);
  const logs = new Float64Array(K);
  for (let ctx = 0; ctx < contexts; ctx++) {
    const chosen = sampleDistinct(rng, p.states, K);
    let top = -Infinity;
    for (let j = 0; j < K; j++) {
      logs[j] = logGamma(rng, p.concentration);
      if (logs[j]! > top) top = logs[j]!;
    }
    let total = 0;
    for (let j = 0; j < K; j++) total += Math.exp(logs[j]! - top);
    let acc = 0;
    for (let j = 0; j < K; j++) {
      next[ctx * K + j] = chosen[j]!;
      acc += Math.exp(logs[j]! - top) / total;
      cdf[ctx * K + j] = acc;
    }
    cdf[ctx * K + K - 1] = 1;
  }
  return { next, cdf };
}

export const markovChain: TaskFamily<typeof params> = {
  name: "markov-chain",
  summary: "predict the next token of sequences from a random sparse Markov chain of order 1 or 2.",
  params,
  difficulty(d) {
    return { states: Math.round(geom(4, 32, d)), order: d >= 0.5 ? 2 : 1 };
  },
  check,
  spec: taskSpec,
  build(p, seed, sizes) {
    assertNoIssues("markov-chain", check(p));
    const { next, cdf } = markovTable(p, seed);
    const K = p.support, S = p.states, L = p.length;
    const seq = new Int32Array(L + 1);
    return generatedTask(taskSpec(p), seed, sizes, (rng, x, xo, y, yo) => {
      for (let t = 0; t <= L; t++) {
        if (t < p.order) {
          seq[t] = rng.int(S);
          continue;
        }
        const ctx = p.order === 1 ? seq[t - 1]! : seq[t - 2]! * S + seq[t - 1]!;
        const u = rng.uniform();
        let j = 0;
        while (j < K - 1 && cdf[ctx * K + j]! <= u) j++;
        seq[t] = next[ctx * K + j]!;
      }
      x.set(seq.subarray(0, L), xo);
      y.set(seq.subarray(1), yo);
    });
  },
};
