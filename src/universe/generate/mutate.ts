// Mutation: small, named changes to one experiment, each recorded as
// { name, path, from, to }:
//   scale-width           one width x2 or /2 (a residual stream's width moves with
//                         every width equal to it, so blocks keep their shape)
//   swap-activation       another nonlinearity at one site
//   insert-unit           a residual MLP/GLU/attention/token-mixing block, a norm,
//                         an activation or a dropout at a position that takes it
//   delete-unit           a unit that is not essential (never the embedding or readout)
//   replace-unit          a unit by a sibling kind: layer <-> RMS norm, MLP <-> GLU,
//                         attention <-> token mixing, linear -> MLP, pooling modes...
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
import { activationNames, type ActivationName } from "../units/common.js";
import type { UnitTree } from "../units/index.js";
import { finish, GenerateError, normalize, type Normalized } from "./normalize.js";
import { chance, clamp, floorPow2, pick, roundTo, sig, weighted } from "./random.js";
import { CAUSAL_FAMILIES, FINITE_FAMILIES, fixedTrainCount } from "./tasks.js";
import { fittingHeads, headsGranule, modelPath, setAt, walkTree, widthFields, type NodeSite, type Path } from "./tree.js";

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

const withModel = (ctx: MutationContext, model: UnitTree): Experiment => ({ ...ctx.parent.config, model });

function setInTree(ctx: MutationContext, path: Path, value: unknown): Experiment {
  return withModel(ctx, setAt(ctx.parent.config.model, path, value));
}

function floatDim(s: NodeSite["input"]): number | null {
  return s.kind === "tokens" ? null : s.dim;
}

// ---- model operators ---------------------------------------------------------

const scaleWidth: Operator = (ctx, rng) => {
  const tree = ctx.parent.config.model;
  const fields = widthFields(tree);
  if (fields.length === 0) return [];
  const f = pick(rng, fields);
  const g = f.role === "output" ? headsGranule(tree) : 1;
  const up = f.value >= 4096 ? false : f.value <= g ? true : chance(rng, 0.5);
  const raw = up ? f.value * 2 : Math.round(f.value / 2);
  const to = clamp(g * Math.max(1, Math.round(raw / g)), g, Math.floor(4096 / g) * g);
  if (to === f.value) return [];
  const change = { name: "scale-width", path: modelPath(f.path, f.field), from: f.value, to };
  // an output width may set a residual stream: every output width equal to it moves with it
  const tied = f.role === "output" ? fields.filter((o) => o.role === "output" && o.value === f.value) : [f];
  if (tied.length === 1) return [{ config: setInTree(ctx, [...f.path, f.field], to), change }];
  let model = tree;
  for (const t of tied) model = setAt(model, [...t.path, t.field], to);
  const also = tied.filter((t) => t !== f).map((t) => modelPath(t.path, t.field));
  return [{ config: withModel(ctx, model), change: { ...change, also } }];
};

function activationSites(sites: NodeSite[]): Array<{ path: Path; field: string; value: ActivationName }> {
  const out: Array<{ path: Path; field: string; value: ActivationName }> = [];
  for (const { node, path } of sites) {
    if (node.unit === "activation") out.push({ path, field: "fn", value: node.fn });
    else if (node.unit === "mlp" && node.depth > 0) out.push({ path, field: "activation", value: node.activation });
    else if (node.unit === "glu" || node.unit === "token-mixing") out.push({ path, field: "activation", value: node.activation });
  }
  return out;
}

const swapActivation: Operator = (ctx, rng) => {
  const found = activationSites(ctx.sites);
  if (found.length === 0) return [];
  const s = pick(rng, found);
  const to = pick(rng, activationNames.filter((a) => a !== s.value));
  return [{ config: setInTree(ctx, [...s.path, s.field], to), change: { name: "swap-activation", path: modelPath(s.path, s.field), from: s.value, to } }];
};

/** A new unit that keeps a float activation of this shape (vector or sequence). */
function newUnit(ctx: MutationContext, rng: Rng, shape: NodeSite["input"], rawInput: boolean): UnitTree | null {
  const d = floatDim(shape);
  if (d === null) return null;
  const seq = shape.kind === "sequence";
  const kinds: Array<readonly [string, number]> = [
    ["norm", 1],
    ["activation", 0.5],
    ["dropout", 0.4],
    ["residual-mlp", rawInput ? 0 : 2],
    ["residual-glu", rawInput ? 0 : 0.7],
    ["residual-attention", seq && !rawInput ? 1.5 : 0],
    ["residual-token-mixing", seq && !rawInput && !ctx.causalOnly ? 0.8 : 0],
  ];
  const norm = (): UnitTree => ({ unit: "norm", kind: chance(rng, 0.6) ? "layer" : "rms", eps: 1e-5 });
  const wrap = (u: UnitTree): UnitTree => ({ unit: "residual", child: chance(rng, 0.7) ? { unit: "sequential", children: [norm(), u] } : u });
  const act = pick(rng, ["relu", "gelu", "silu", "tanh"] as const);
  switch (weighted(rng, kinds)) {
    case "norm":
      return norm();
    case "activation":
      return { unit: "activation", fn: act };
    case "dropout":
      return { unit: "dropout", p: pick(rng, [0.05, 0.1, 0.2]) };
    case "residual-mlp":
      return wrap({ unit: "mlp", width: Math.min(1024, d * pick(rng, [1, 2, 4])), depth: 1, activation: act, bias: true, out: d });
    case "residual-glu":
      return wrap({ unit: "glu", width: Math.min(1024, d * pick(rng, [1, 2, 4])), activation: pick(rng, ["sigmoid", "silu", "gelu"] as const), bias: true, out: d });
    case "residual-attention":
      return wrap({ unit: "attention", heads: fittingHeads(d, pick(rng, [1, 2, 4])), causal: ctx.causalOnly || chance(rng, 0.5) });
    case "residual-token-mixing": {
      const T = shape.kind === "sequence" ? shape.length : 1;
      return wrap({ unit: "token-mixing", width: clamp(2 * T, 8, 256), activation: act, bias: true });
    }
    default:
      return null;
  }
}

function siteMap(sites: NodeSite[]): Map<string, NodeSite> {
  return new Map(sites.map((s) => [JSON.stringify(s.path), s]));
}

const insertUnit: Operator = (ctx, rng) => {
  const byPath = siteMap(ctx.sites);
  const seqs = ctx.sites.filter((s) => s.node.unit === "sequential");
  if (seqs.length === 0) return [];
  const s = pick(rng, seqs);
  const children = (s.node as Extract<UnitTree, { unit: "sequential" }>).children;
  // positions whose incoming activation is float, never after a readout
  const spots: Array<{ index: number; shape: NodeSite["input"] }> = [];
  for (let i = 0; i <= children.length; i++) {
    if (i > 0 && children[i - 1]!.unit === "readout") break;
    const shape = i === 0 ? s.input : byPath.get(JSON.stringify([...s.path, "children", i - 1]))!.output;
    if (shape.kind !== "tokens") spots.push({ index: i, shape });
  }
  if (spots.length === 0) return [];
  const spot = pick(rng, spots);
  // the task's own input (only pointwise units before): no residual block there, its width would be tied to the task
  const rawInput = s.path.length === 0 && children.slice(0, spot.index).every((c) => POINTWISE.has(c.unit));
  const unit = newUnit(ctx, rng, spot.shape, rawInput);
  if (!unit) return [];
  const next = [...children.slice(0, spot.index), unit, ...children.slice(spot.index)];
  return [{
    config: setInTree(ctx, [...s.path, "children"], next),
    change: { name: "insert-unit", path: modelPath([...s.path, "children", spot.index]), from: null, to: unit },
  }];
};

const POINTWISE = new Set(["norm", "activation", "dropout"]);
const ADAPTIVE = new Set(["linear", "mlp", "glu", "readout"]);

/**
 * Whether child i of a sequential can go: it keeps its input's shape, or what it
 * produces only passes pointwise units before a dense unit or the readout, which
 * take any input dim. Embeddings and readouts always stay.
 */
function deletable(children: UnitTree[], i: number, site: NodeSite): boolean {
  const c = children[i]!;
  if (c.unit === "embedding" || c.unit === "readout") return false;
  if (sameShape(site.input, site.output)) return true;
  if (site.input.kind !== site.output.kind) return false;
  for (let j = i + 1; j < children.length; j++) {
    if (ADAPTIVE.has(children[j]!.unit)) return true;
    if (!POINTWISE.has(children[j]!.unit)) return false;
  }
  return false;
}

function sameShape(a: NodeSite["input"], b: NodeSite["input"]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const deleteUnit: Operator = (ctx, rng) => {
  const out: Candidate[] = [];
  const byPath = siteMap(ctx.sites);
  const options: Array<{ seq: NodeSite; index: number }> = [];
  for (const s of ctx.sites) {
    if (s.node.unit !== "sequential" || s.node.children.length < 2) continue;
    const children = s.node.children;
    children.forEach((_, index) => {
      if (deletable(children, index, byPath.get(JSON.stringify([...s.path, "children", index]))!)) options.push({ seq: s, index });
    });
  }
  for (const { seq, index } of shuffledFew(rng, options, 4)) {
    const children = (seq.node as Extract<UnitTree, { unit: "sequential" }>).children;
    const next = children.filter((_, i) => i !== index);
    out.push({
      config: setInTree(ctx, [...seq.path, "children"], next),
      change: { name: "delete-unit", path: modelPath([...seq.path, "children", index]), from: children[index], to: null },
    });
  }
  return out;
};

function shuffledFew<T>(rng: Rng, items: T[], k: number): T[] {
  const copy = [...items];
  const out: T[] = [];
  while (copy.length > 0 && out.length < k) out.push(copy.splice(rng.int(copy.length), 1)[0]!);
  return out;
}

/** A sibling kind for a unit, or null. */
function replacement(ctx: MutationContext, rng: Rng, site: NodeSite): UnitTree | null {
  const n = site.node;
  switch (n.unit) {
    case "norm":
      return { ...n, kind: pick(rng, (["layer", "rms", "none"] as const).filter((k) => k !== n.kind)) };
    case "mlp":
      if (n.depth === 0 && n.out === undefined) return { unit: "linear", width: n.width, bias: n.bias };
      return { unit: "glu", width: n.width, activation: chance(rng, 0.5) ? "silu" : "sigmoid", bias: n.bias, ...(n.out === undefined ? {} : { out: n.out }) };
    case "glu":
      return { unit: "mlp", width: n.width, depth: 1, activation: n.activation === "sigmoid" ? "relu" : n.activation, bias: n.bias, ...(n.out === undefined ? {} : { out: n.out }) };
    case "linear":
      return { unit: "mlp", width: n.width, depth: 1, activation: pick(rng, ["relu", "gelu", "tanh"] as const), bias: n.bias, out: n.width };
    case "attention": {
      const toMixing = !ctx.causalOnly && chance(rng, 0.5);
      if (toMixing) {
        const T = site.input.kind === "sequence" ? site.input.length : 1;
        return { unit: "token-mixing", width: clamp(2 * T, 8, 256), activation: "gelu", bias: true };
      }
      if (!ctx.causalOnly) return { ...n, causal: !n.causal };
      // next-token tasks keep causal attention: change the heads instead
      const heads = fittingHeads(floatDim(site.input) ?? 1, n.heads > 1 && chance(rng, 0.5) ? Math.floor(n.heads / 2) : n.heads * 2);
      return heads === n.heads ? null : { ...n, heads };
    }
    case "token-mixing":
      return { unit: "attention", heads: fittingHeads(floatDim(site.input) ?? 1, 4), causal: ctx.causalOnly || chance(rng, 0.5) };
    case "pooling":
      return { ...n, mode: pick(rng, (["mean", "last", "flatten"] as const).filter((m) => m !== n.mode)) };
    case "readout":
      return { ...n, pool: n.pool === "mean" ? "last" : "mean" };
    case "embedding":
      return { ...n, positional: !n.positional };
    case "dropout":
      return { ...n, p: n.p >= 0.4 ? roundTo(n.p / 2, 0.01) : roundTo(Math.min(0.9, n.p * 2 || 0.1), 0.01) };
    case "activation":
      return { unit: "norm", kind: "layer", eps: 1e-5 };
    default:
      return null;
  }
}

const replaceUnit: Operator = (ctx, rng) => {
  const out: Candidate[] = [];
  const options = ctx.sites.filter((s) => s.node.unit !== "sequential" && s.node.unit !== "residual");
  for (const site of shuffledFew(rng, options, 3)) {
    const to = replacement(ctx, rng, site);
    if (!to) continue;
    out.push({ config: setInTree(ctx, site.path, to), change: { name: "replace-unit", path: modelPath(site.path), from: site.node, to } });
  }
  return out;
};

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
