// Train/test splits of the examples for evaluating predictors, each asking a
// different question:
//   random  80/20 by group of related runs (seeded): interpolation within the
//           universe sampled. A one-at-a-time sweep, the seed replicates of a
//           config and a run's forks land on one side together: a sibling that
//           differs in one knob, or only in its seeds, would otherwise hand the
//           predictor its test run's answer, and whole sweeps on the test side
//           give the sign accuracy its intervention pairs;
//   family  whole task families held out (seeded choice, families added until the
//           test side holds >= 20% of the runs): transfer to unseen kinds of task;
//   scale   within each task family, train on the 70% of runs with the smallest
//           paramCount * steps and test on the largest 30% (runs as large as the
//           cut go to the test side, so a config's seed replicates stay together):
//           extrapolation to bigger, longer runs of a task, the ladder-of-scales
//           question. Ranked across all families at once, the cut also held out
//           whole kinds of runs that are large by nature (every grokking probe
//           runs 1,500-8,000 full-batch steps, so the test side held all of them
//           and the train side no grokking run), mixing a family shift into it.
// Every split is a pure function of the examples' contents and the seed
// (content-keys.ts: never of the store's random run or sweep ids), so it is the
// same for every predictor, every invocation and every store holding the runs.

import { Rng } from "../engine/rng.js";
import type { Example } from "./types.js";
import { seedlessKey } from "./pairs.js";
import { groupBy } from "./group-by.js";
import { canonicalOrder, contentKeys } from "./content-keys.js";

export const SPLIT_KINDS = ["random", "family", "scale"] as const;
export type SplitKind = (typeof SPLIT_KINDS)[number];

export interface Split {
  kind: SplitKind;
  /** e.g. "held out: dyck, sequence" */
  description: string;
  train: Example[];
  test: Example[];
}

/** Fraction of runs on the test side of the random split, and the least held out by the family split. */
export const TEST_FRACTION = 0.2;
/** Fraction of runs (the largest) on the test side of the scale split. */
export const SCALE_TEST_FRACTION = 0.3;

/** A seeded permutation of 0..n-1 (Fisher-Yates on the engine's counter-based Rng). */
function shuffle<T>(items: T[], seed: number, stream: number): T[] {
  const rng = new Rng(seed, stream);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Related runs by group key: a sweep's runs share their sweep, replicates their
 * config without seeds, and a fork joins its parent's group (forks of forks too).
 * A sweep's key is named by its first member's content key rather than by its
 * (random) sweep id, since keys are hashed and sorted to draw splits; two sweeps
 * whose first members share a config (the same anchor trained in both) are one group.
 */
export function relatedGroups(examples: readonly Example[], keys = contentKeys(examples)): Map<string, Example[]> {
  const byRun = new Map(examples.map((e) => [e.runId, e]));
  const keyOf = (e: Example, depth = 0): string => {
    const parent = e.fork ? byRun.get(e.fork.parentRunId) : undefined;
    if (parent && depth < 32) return keyOf(parent, depth + 1);
    return e.sweepId ? `sweep-id:${e.sweepId}` : `config:${seedlessKey(e.config)}`;
  };
  const out = new Map<string, Example[]>();
  for (const [key, group] of groupBy(examples, (e) => keyOf(e))) {
    if (!key.startsWith("sweep-id:")) {
      out.set(key, group);
      continue;
    }
    const first = group.map((e) => keys.get(e)!).reduce((a, b) => (b < a ? b : a));
    const sweepKey = `sweep:${first}`;
    out.set(sweepKey, [...(out.get(sweepKey) ?? []), ...group]);
  }
  return out;
}

type SplitFn = (examples: readonly Example[], seed: number) => Split;

/**
 * Whether a split's draw depends on its seed. The scale split is a fixed cut, so
 * an evaluation over several seeds draws it once: refitting on the same runs
 * would only repeat the same numbers.
 */
export const SEEDED_SPLITS: { readonly [K in SplitKind]: boolean } = { random: true, family: true, scale: false };

const splitFns: { readonly [K in SplitKind]: SplitFn } = {
  random: (examples, seed) => {
    const keys = contentKeys(examples);
    const groups = relatedGroups(canonicalOrder(examples, keys), keys);
    const order = shuffle([...groups.keys()].sort(), seed, 0x5b1);
    const test: Example[] = [], train: Example[] = [];
    for (const key of order) (test.length < TEST_FRACTION * examples.length ? test : train).push(...groups.get(key)!);
    return { kind: "random", description: `random ${Math.round(100 * (1 - TEST_FRACTION))}/${Math.round(100 * TEST_FRACTION)} by group (sweeps, seed replicates and forks kept whole)`, test, train };
  },
  family: (examples, seed) => {
    const families = [...new Set(examples.map((e) => e.family))].sort();
    const held = new Set<string>();
    let inTest = 0;
    for (const f of shuffle(families, seed, 0x5b2)) {
      if (inTest >= TEST_FRACTION * examples.length || held.size >= families.length - 1) break;
      held.add(f);
      inTest += examples.filter((e) => e.family === f).length;
    }
    const sorted = canonicalOrder(examples);
    return {
      kind: "family",
      description: `held out: ${[...held].sort().join(", ")}`,
      train: sorted.filter((e) => !held.has(e.family)),
      test: sorted.filter((e) => held.has(e.family)),
    };
  },
  scale: (examples) => {
    const size = (e: Example) => Math.max(1, e.paramCount) * Math.max(1, e.steps);
    const train: Example[] = [], test: Example[] = [];
    for (const runs of groupBy(canonicalOrder(examples), (e) => e.family).values()) {
      const sizes = runs.map(size).sort((a, b) => a - b);
      const cut = sizes[Math.round(sizes.length * (1 - SCALE_TEST_FRACTION))] ?? Infinity;
      for (const e of runs) (size(e) >= cut ? test : train).push(e);
    }
    return {
      kind: "scale",
      description: `within each family: train on the smallest ${Math.round(100 * (1 - SCALE_TEST_FRACTION))}% by paramCount*steps, test on the largest ${Math.round(100 * SCALE_TEST_FRACTION)}%`,
      train: canonicalOrder(train),
      test: canonicalOrder(test),
    };
  },
};

export function makeSplit(kind: SplitKind, examples: readonly Example[], seed = 0): Split {
  return splitFns[kind](examples, seed);
}

/**
 * The split with only a seeded `fraction` of its train side kept, by whole groups
 * of related runs (so a sweep is kept or dropped together); the test side is
 * untouched. Fitting on growing fractions against one test side gives the world
 * model's learning curve in runs: how much a larger dataset would buy.
 */
export function thinTrainSide(split: Split, fraction: number, seed = 0): Split {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`train fraction must lie in (0, 1], got ${fraction}`);
  if (fraction === 1) return split;
  const keys = contentKeys(split.train);
  const groups = relatedGroups(canonicalOrder(split.train, keys), keys);
  const kept: Example[] = [];
  for (const key of shuffle([...groups.keys()].sort(), seed, 0x5b3)) {
    if (kept.length >= fraction * split.train.length) break;
    kept.push(...groups.get(key)!);
  }
  return {
    ...split,
    description: `${split.description}; train side thinned to ${Math.round(100 * fraction)}% by group`,
    train: canonicalOrder(kept),
  };
}
