// Priors over tasks: a family uniformly, then either its difficulty knob uniform in
// [0, 1] (the family fills its own parameters) or the family's parameters drawn
// explicitly within their ranges at moderate sizes (so that models stay small and
// examples cheap). The table of explicit priors is typed over every family, so a
// new family without a prior is a compile error. Also: resolving a task input to
// its parsed parameters and spec, and the facts about families that the model
// grammar needs (next-token tasks must only see the past).

import type { Rng } from "../../engine/rng.js";
import { taskSchema, type TaskConfig } from "../config/experiment.js";
import { taskSpecOf } from "../config/validate.js";
import { formulaNames } from "../tasks/symbolic-regression.js";
import { modularOps } from "../tasks/modular-arithmetic.js";
import { playgroundSets } from "../tasks/playground.js";
import { sequenceOps } from "../tasks/sequence.js";
import { taskNames, tasks, type TaskName } from "../tasks/index.js";
import type { TaskSpec } from "../tasks/family.js";
import { chance, intBetween, logInt, logUniform, pick, roundTo, sig, uniform } from "./random.js";

/** A task section as a document holds it: the family, common fields and some parameters. */
export type TaskInput = { family: TaskName } & Record<string, unknown>;

/** Primes for modular arithmetic, from tiny to the p = 113 of Nanda et al. */
export const MODULI = [7, 11, 13, 17, 19, 23, 29, 31, 37, 43, 47, 53, 59, 67, 71, 79, 89, 97, 113] as const;

/** A noise level: zero with probability pZero, else uniform in [0, max] (2 decimals). */
function noise(rng: Rng, pZero: number, max: number): number {
  return chance(rng, pZero) ? 0 : roundTo(uniform(rng, 0, max), 0.01);
}

/** Explicit parameter priors, one per family. */
export const paramPriors: { readonly [K in TaskName]: (rng: Rng) => Record<string, unknown> } = {
  "modular-arithmetic": (rng) => ({
    p: pick(rng, MODULI),
    op: pick(rng, modularOps),
    trainFraction: roundTo(uniform(rng, 0.2, 0.8), 0.05),
  }),
  "sparse-parity": (rng) => {
    const n = logInt(rng, 6, 50);
    return { n, k: intBetween(rng, 1, Math.min(n, 4)), noise: noise(rng, 0.7, 0.2) };
  },
  "teacher-student": (rng) => ({
    inputDim: logInt(rng, 2, 64),
    width: logInt(rng, 4, 64),
    depth: intBetween(rng, 0, 3),
    outputDim: chance(rng, 0.7) ? 1 : intBetween(rng, 2, 4),
    noise: noise(rng, 0.6, 0.5),
  }),
  "gaussian-mixture": (rng) => ({
    dim: logInt(rng, 2, 64),
    classes: logInt(rng, 2, 16),
    separation: sig(logUniform(rng, 0.5, 4), 2),
    labelNoise: noise(rng, 0.6, 0.3),
  }),
  "symbolic-regression": (rng) => ({ formula: pick(rng, formulaNames), noise: noise(rng, 0.7, 0.1) }),
  "playground": (rng) => ({ dataset: pick(rng, playgroundSets), noise: noise(rng, 0.2, 0.3) }),
  "sequence": (rng) => ({ op: pick(rng, sequenceOps), length: intBetween(rng, 4, 24), vocab: logInt(rng, 4, 32) }),
  "associative-recall": (rng) => {
    const pairs = logInt(rng, 2, 16);
    return { pairs, vocab: Math.min(128, 2 * pairs * intBetween(rng, 2, 4)) };
  },
  "in-context-regression": (rng) => ({ dim: logInt(rng, 2, 16), context: logInt(rng, 4, 32), noise: noise(rng, 0.6, 0.5) }),
  "dyck": (rng) => ({ types: intBetween(rng, 1, 3), maxDepth: intBetween(rng, 2, 8), length: 2 * intBetween(rng, 4, 24) }),
  "random-hierarchy": (rng) => {
    const branching = intBetween(rng, 2, 3);
    const depth = intBetween(rng, 2, branching === 2 ? 5 : 3);
    const vocab = logInt(rng, 4, 16);
    const multiplicity = intBetween(rng, 2, Math.min(8, vocab ** (branching - 1)));
    // classes <= vocab keeps classes * multiplicity <= vocab^branching
    return { vocab, classes: intBetween(rng, 2, vocab), multiplicity, depth, branching };
  },
  "markov-chain": (rng) => {
    const states = logInt(rng, 4, 32);
    return {
      states,
      order: chance(rng, 0.6) ? 1 : 2,
      support: intBetween(rng, 1, Math.min(states, 8)),
      concentration: sig(logUniform(rng, 0.1, 10), 2),
      length: logInt(rng, 8, 32),
    };
  },
};

/** Families whose finite universe decides the train set (trainSize is ignored). */
export const FINITE_FAMILIES: ReadonlySet<TaskName> = new Set(["modular-arithmetic"]);

/**
 * Families whose targets at position t are inputs after t (next-token prediction):
 * their models must only look back, so no token mixing and causal attention only.
 */
export const CAUSAL_FAMILIES: ReadonlySet<TaskName> = new Set(["markov-chain"]);

export interface TaskPrior {
  /** probability of using the difficulty knob instead of explicit parameters */
  knob: number;
  /** probability of a stream train set (fresh examples every batch) */
  stream: number;
  /** log-uniform range of a fixed train set's size */
  trainSize: [number, number];
  /** examples in the test set */
  testSize: number;
}

export const DEFAULT_TASK_PRIOR: TaskPrior = { knob: 0.5, stream: 0.2, trainSize: [64, 16384], testSize: 512 };

/** A task drawn from the priors: a uniform family, the knob or explicit parameters, sizes and a seed. */
export function sampleTask(rng: Rng, prior: TaskPrior = DEFAULT_TASK_PRIOR): TaskInput {
  const family = pick(rng, taskNames);
  const task: TaskInput = { family };
  if (chance(rng, prior.knob)) task.difficulty = roundTo(rng.uniform(), 0.01);
  else Object.assign(task, paramPriors[family](rng));
  if (!FINITE_FAMILIES.has(family)) {
    task.trainSize = chance(rng, prior.stream) ? "stream" : sig(logInt(rng, prior.trainSize[0], prior.trainSize[1]), 2);
  }
  task.testSize = prior.testSize;
  task.seed = rng.int(10_000);
  return task;
}

/** The parsed task (knob applied, defaults filled) and its spec; throws on an invalid task. */
export function resolveTask(task: TaskInput): { task: TaskConfig; spec: TaskSpec } {
  const family = tasks[task.family];
  const d = task.difficulty;
  const withKnob = typeof d === "number" ? { ...family.difficulty(d), ...task } : task;
  const parsed = taskSchema.parse(withKnob) as TaskConfig;
  return { task: parsed, spec: taskSpecOf(parsed) };
}

/** The number of examples one full batch holds (the fixed train set), or null for a stream. */
export function fixedTrainCount(task: TaskConfig): number | null {
  if (task.family === "modular-arithmetic") {
    const p = task.p as number, nb = task.op === "div" ? p - 1 : p;
    const universe = p * nb;
    return Math.min(universe - 1, Math.max(1, Math.round((task.trainFraction as number) * universe)));
  }
  return task.trainSize === "stream" ? null : task.trainSize;
}
