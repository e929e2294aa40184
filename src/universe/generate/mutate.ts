// Mutation: small, named changes to one experiment, each recorded as
// { name, path, from, to }. The model operators (scale-width, swap-activation,
// insert-unit, delete-unit, replace-unit) live in mutate-model.ts; here:
//   scale-hyperparameter  lr, weight decay, batch size, steps, init scale, train size
//                         or clip norm x2 or /2
//   change-difficulty     the task's difficulty knob by +-0.1 or 0.2 (knob-controlled
//                         parameters then follow the knob)
//   reseed                a new task or init seed (always applies; the last resort)
// Operators propose candidates; `mutate` keeps the first one that validates (and
// fits `maxParams`), trying other sites and operators otherwise, so every offspring
// is a valid experiment. The offspring is compacted and carries no name.

import type { Rng } from "../../engine/rng.js";
import type { Experiment, ExperimentInput } from "../config/experiment.js";
import { tasks, type TaskName } from "../tasks/index.js";
import { finish, GenerateError, normalize, type Normalized } from "./normalize.js";
import { chance, clamp, floorPow2, pick, roundTo, sig, weighted } from "./random.js";
import { CAUSAL_FAMILIES, FINITE_FAMILIES, fixedTrainCount } from "./tasks.js";
import { deleteUnit, insertUnit, replaceUnit, scaleWidth, swapActivation } from "./mutate-model.js";
import { walkTree, type NodeSite } from "./tree.js";

/** What an operator changed: its name, the config path, and the values before and after. */
export interface Change {
  name: string;
  /** e.g. "model.children[2].width" or "train.lr" */
  path: string;
  from: unknown;
  to: unknown;
  /** further paths changed with it (e.g. the other widths of a residual stream) */
  also?: string[];
}

export interface Offspring {
  config: ExperimentInput;
  operator: Change;
}

/** A proposed offspring in dense form; `mutate` validates it. */
export interface Candidate {
  config: Experiment;
  change: Change;
}

/** What operators see: the parent, validated, with the shapes of its tree. */
export interface MutationContext {
  parent: Normalized;
  sites: NodeSite[];
  /** next-token tasks: no token mixing, causal attention only */
  causalOnly: boolean;
}

export type Operator = (ctx: MutationContext, rng: Rng) => Candidate[];

// ---- recipe and task operators ---------------------------------------------------

type Hyper = "lr" | "weightDecay" | "batchSize" | "steps" | "initScale" | "trainSize" | "clipNorm";

const scaleHyperparameter: Operator = (ctx, rng) => {
  const c = ctx.parent.config;
  const t = c.train;
  const count = fixedTrainCount(c.task);
  const options: Hyper[] = ["lr", "steps", "initScale", "batchSize"];
  if (t.weightDecay > 0) options.push("weightDecay");
  if (typeof c.task.trainSize === "number" && !FINITE_FAMILIES.has(c.task.family)) options.push("trainSize");
  if (t.clipNorm !== null) options.push("clipNorm");
  const key = pick(rng, options);
  const up = chance(rng, 0.5);
  const f = up ? 2 : 0.5;
  const train = { ...t };
  const task = { ...c.task };
  let from: unknown, to: unknown, path = `train.${key}`;
  switch (key) {
    case "lr":
      [from, to] = [t.lr, sig(clamp(t.lr * f, 1e-8, 100), 6)];
      train.lr = to as number;
      break;
    case "weightDecay":
      [from, to] = [t.weightDecay, sig(clamp(t.weightDecay * f, 1e-12, 100), 6)];
      train.weightDecay = to as number;
      break;
    case "initScale":
      [from, to] = [t.initScale, sig(clamp(t.initScale * f, 1e-6, 100), 6)];
      train.initScale = to as number;
      break;
    case "clipNorm":
      [from, to] = [t.clipNorm, sig((t.clipNorm ?? 1) * f, 6)];
      train.clipNorm = to as number;
      break;
    case "steps":
      [from, to] = [t.steps, clamp(Math.round(t.steps * f), 1, 100_000_000)];
      train.steps = to as number;
      break;
    case "batchSize": {
      from = t.batchSize;
      const b = t.batchSize === "full" ? count ?? 1 : t.batchSize;
      if (t.batchSize === "full") to = Math.max(1, floorPow2(b / 2));
      else if (up && count !== null && b * 2 >= count) to = "full";
      else to = clamp(Math.round(b * f), 1, 1 << 20);
      train.batchSize = to as number | "full";
      break;
    }
    case "trainSize":
      path = "task.trainSize";
      [from, to] = [c.task.trainSize, clamp(Math.round((c.task.trainSize as number) * f), 1, 10_000_000)];
      task.trainSize = to as number;
      break;
  }
  if (from === to) return [];
  const log = { ...c.log, checkpoints: c.log.checkpoints.filter((s) => s <= train.steps) };
  return [{ config: { ...c, task, train, log }, change: { name: "scale-hyperparameter", path, from, to } }];
};

const changeDifficulty: Operator = (ctx, rng) => {
  const task = ctx.parent.config.task;
  const family = tasks[task.family as TaskName];
  const d = task.difficulty;
  let to: number;
  if (d === null) to = roundTo(rng.uniform(), 0.05);
  else {
    const step = pick(rng, [0.1, 0.2]);
    const sign = d + step > 1 ? -1 : d - step < 0 ? 1 : chance(rng, 0.5) ? 1 : -1;
    to = roundTo(clamp(d + sign * step, 0, 1), 0.01);
  }
  if (to === d) return [];
  const knobKeys = new Set(Object.keys(family.difficulty(to)));
  const common = { family: task.family, seed: task.seed, trainSize: task.trainSize, testSize: task.testSize, difficulty: to };
  const keepOthers = Object.fromEntries(Object.entries(task).filter(([k]) => !knobKeys.has(k)));
  const change = { name: "change-difficulty", path: "task.difficulty", from: d, to };
  return [
    { config: { ...ctx.parent.config, task: { ...keepOthers, ...common } }, change },
    { config: { ...ctx.parent.config, task: { ...common } }, change },
  ];
};

const reseed: Operator = (ctx, rng) => {
  const c = ctx.parent.config;
  const which = chance(rng, 0.5) ? "task" : "train";
  const from = which === "task" ? c.task.seed : c.train.seed;
  let to = rng.int(10_000);
  if (to === from) to = (to + 1) % 10_000;
  const config = which === "task" ? { ...c, task: { ...c.task, seed: to } } : { ...c, train: { ...c.train, seed: to } };
  return [{ config, change: { name: "reseed", path: `${which}.seed`, from, to } }];
};

/** Every mutation operator by name. */
export const mutationOperators = {
  "scale-width": scaleWidth,
  "swap-activation": swapActivation,
  "insert-unit": insertUnit,
  "delete-unit": deleteUnit,
  "replace-unit": replaceUnit,
  "scale-hyperparameter": scaleHyperparameter,
  "change-difficulty": changeDifficulty,
  "reseed": reseed,
} as const satisfies Record<string, Operator>;

export type MutationName = keyof typeof mutationOperators;

/** How often each operator is tried first (reseed is mostly the fallback). */
export const MUTATION_WEIGHTS: { readonly [K in MutationName]: number } = {
  "scale-width": 2,
  "swap-activation": 1,
  "insert-unit": 1.5,
  "delete-unit": 1.5,
  "replace-unit": 1.5,
  "scale-hyperparameter": 3,
  "change-difficulty": 1,
  "reseed": 0.25,
};

/** Counts of what `mutate` and `crossover` tried, for tests and reports. */
export interface OperatorStats {
  /** candidates validated */
  tried: number;
  /** candidates rejected as invalid (or over maxParams) */
  rejected: number;
  /** offspring produced, by operator name */
  applied: Record<string, number>;
}

export function newStats(): OperatorStats {
  return { tried: 0, rejected: 0, applied: {} };
}

export interface MutateOptions {
  /** reject offspring with more parameters than this or than the parent, whichever is larger (default: no limit) */
  maxParams?: number;
  /** restrict to these operators (reseed is still the last resort) */
  operators?: readonly MutationName[];
  stats?: OperatorStats;
}

export function mutationContext(parent: Normalized): MutationContext {
  return {
    parent,
    sites: walkTree(parent.config.model, parent.spec),
    causalOnly: CAUSAL_FAMILIES.has(parent.config.task.family as TaskName),
  };
}

/** Validates candidates in order and returns the first valid offspring that differs from the parent. */
export function firstValid(parent: Normalized, candidates: Candidate[], maxParams: number, stats?: OperatorStats): Offspring | null {
  for (const cand of candidates) {
    const { name: _name, ...rest } = cand.config;
    void _name;
    if (stats) stats.tried++;
    const done = finish(rest, maxParams);
    if (!done || done.norm.id === parent.id) {
      if (stats) stats.rejected++;
      continue;
    }
    if (stats) stats.applied[cand.change.name] = (stats.applied[cand.change.name] ?? 0) + 1;
    return { config: done.config, operator: cand.change };
  }
  return null;
}

/** Operators in a random order, weighted by MUTATION_WEIGHTS (drawn without replacement). */
function operatorOrder(rng: Rng, names: readonly MutationName[]): MutationName[] {
  const left = [...names];
  const out: MutationName[] = [];
  while (left.length > 0) {
    const name = weighted(rng, left.map((n) => [n, MUTATION_WEIGHTS[n]] as const));
    out.push(name);
    left.splice(left.indexOf(name), 1);
  }
  return out;
}

/** Tries each operator up to this many times (fresh sites) before moving on. */
const TRIES_PER_OPERATOR = 3;

/**
 * One mutation of a valid experiment: an applicable operator chosen at random
 * (weighted), its first valid candidate. Throws a GenerateError if the input is
 * not a valid experiment.
 */
export function mutate(config: ExperimentInput, rng: Rng, options: MutateOptions = {}): Offspring {
  const parent = normalize(config, "the config to mutate");
  const ctx = mutationContext(parent);
  // offspring may not grow past the limit (or past the parent, if it is already larger)
  const maxParams = Math.max(options.maxParams ?? Infinity, parent.paramCount);
  const names = options.operators ?? (Object.keys(mutationOperators) as MutationName[]);
  for (const name of [...operatorOrder(rng, names), "reseed" as const]) {
    for (let t = 0; t < TRIES_PER_OPERATOR; t++) {
      const found = firstValid(parent, mutationOperators[name](ctx, rng), maxParams, options.stats);
      if (found) return found;
    }
  }
  throw new GenerateError(`no mutation of experiment ${parent.id} is valid within ${maxParams} parameters`);
}
