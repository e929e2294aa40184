// Modular arithmetic: learn c = (a op b) mod p from the tokens [a, b], the "grokking"
// tasks of Power et al. 2022 (ops add, sub, mul, div and x^2 + xy + y^2). The universe
// of all p*p pairs (p*(p-1) for div, which needs b != 0 and uses the modular inverse)
// is permuted by the seed; the first trainFraction of it is the fixed train set and
// the rest is the test set (a prefix of that random rest when testSize is smaller).
// The universe is finite, so trainSize is ignored; trainSize "stream" draws batches
// with replacement from the train split (which is still returned as `train`).
//
// Difficulty: trainFraction shrinks from 0.8 (d = 0) to 0.2 (d = 1); with less data
// generalization comes later or not at all.

import { z } from "zod";
import type { ParamIssue, TaskFamily, TaskSpec } from "./family.js";
import {
  allocate, assertNoIssues, checkSizes, clamp01, epochBatcher, isPrime, replacementBatcher, specOf, taskRng,
} from "./data.js";

export const modularOps = ["add", "sub", "mul", "div", "x2xyy2"] as const;
export type ModularOp = typeof modularOps[number];

const params = z.object({
  p: z.number().int().min(2).max(1021).default(97).describe("prime modulus: tokens and classes are 0..p-1"),
  op: z.enum(modularOps).default("add")
    .describe("operation: a+b, a-b, a*b, a/b (b != 0, modular inverse) or a^2+ab+b^2, all mod p"),
  trainFraction: z.number().gt(0).lt(1).default(0.5)
    .describe("fraction of all pairs in the train split (the rest is test); at least one pair in each"),
});

export type ModularArithmeticParams = z.infer<typeof params>;

/** b^(p-2) mod p, the inverse of b != 0 modulo prime p. */
function inverse(b: number, p: number): number {
  let result = 1, base = b % p, e = p - 2;
  while (e > 0) {
    if (e & 1) result = (result * base) % p;
    base = (base * base) % p;
    e >>>= 1;
  }
  return result;
}

/** (a op b) mod p for a, b in [0, p) (b != 0 for div). */
export function modularResult(op: ModularOp, a: number, b: number, p: number): number {
  switch (op) {
    case "add": return (a + b) % p;
    case "sub": return (a - b + p) % p;
    case "mul": return (a * b) % p;
    case "div": return (a * inverse(b, p)) % p;
    case "x2xyy2": return (a * a + a * b + b * b) % p;
  }
}

function check(p: ModularArithmeticParams): ParamIssue[] {
  const issues: ParamIssue[] = [];
  if (!isPrime(p.p)) issues.push({ path: ["p"], message: `${p.p} is not prime` });
  return issues;
}

function taskSpec(p: ModularArithmeticParams): TaskSpec {
  return specOf({ kind: "tokens", length: 2, vocab: p.p }, { kind: "classes", classes: p.p, positions: null });
}

export const modularArithmetic: TaskFamily<typeof params> = {
  name: "modular-arithmetic",
  summary: "(a op b) mod p from the tokens [a, b]; a fixed random split of all pairs (grokking).",
  params,
  difficulty(d) {
    return { trainFraction: Math.round((0.8 - 0.6 * clamp01(d)) * 1000) / 1000 };
  },
  check,
  spec: taskSpec,
  build(p, seed, sizes) {
    assertNoIssues("modular-arithmetic", check(p));
    checkSizes(sizes);
    const spec = taskSpec(p);
    const bFirst = p.op === "div" ? 1 : 0;
    const nb = p.p - bFirst;
    const universe = p.p * nb;
    const nTrain = Math.min(universe - 1, Math.max(1, Math.round(p.trainFraction * universe)));
    const nTest = Math.min(sizes.testSize, universe - nTrain);
    const order = taskRng(seed).permutation(universe);
    const fill = (first: number, n: number) => {
      const ex = allocate(spec, n);
      for (let i = 0; i < n; i++) {
        const u = order[first + i]!;
        const a = Math.floor(u / nb), b = bFirst + (u % nb);
        ex.x[2 * i] = a;
        ex.x[2 * i + 1] = b;
        ex.y[i] = modularResult(p.op, a, b, p.p);
      }
      return ex;
    };
    const train = fill(0, nTrain);
    const test = fill(nTrain, nTest);
    const batch = sizes.trainSize === "stream" ? replacementBatcher(spec, train, seed) : epochBatcher(spec, train, seed);
    return { spec, train, test, batch };
  },
};
