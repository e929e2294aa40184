// The ladder-of-scales operator: one factor multiplies together
//   widths  every width field of the tree (embedding dims, linear/MLP/GLU widths and
//           outs, token-mixing widths), rounded to a multiple of the attention heads
//           so heads keep dividing the dims; equal widths stay equal, so residual
//           streams stay consistent;
//   depth   the number of repeated blocks: runs of residual blocks in a sequential
//           (by their period, e.g. attention + MLP pairs), runs of repeated plain
//           layers (e.g. linear + activation), and the layers of MLP units outside
//           residual blocks;
//   data    task.trainSize (a stream stays a stream; modular arithmetic has a fixed
//           universe, so its data does not scale);
//   steps   train.steps, with the schedule's step counts and the log checkpoints.
// Everything else (optimizer, lr, batch size, seeds, task parameters) is kept.
// Results are clamped to the schema's ranges and validated.

import { canonicalJson } from "../config/canonical.js";
import type { Experiment, ExperimentInput } from "../config/experiment.js";
import { MAX_WIDTH } from "../units/common.js";
import type { UnitTree } from "../units/index.js";
import { finish, GenerateError, normalize } from "./normalize.js";
import { clamp } from "./random.js";
import { clone, headsGranule, widthFields } from "./tree.js";

export interface ScaleOptions {
  /** scale the widths (default true) */
  width?: boolean;
  /** scale the number of repeated blocks (default true) */
  depth?: boolean;
  /** scale task.trainSize (default true) */
  data?: boolean;
  /** scale train.steps (default true) */
  steps?: boolean;
}

export interface ScaledExperiment {
  factor: number;
  config: ExperimentInput;
  id: string;
  paramCount: number;
}

/** A copy of the tree with every width field mapped by `f` except those in `keep` (values). */
function mapWidths(tree: UnitTree, f: (v: number) => number, keep: ReadonlySet<number> = new Set()): UnitTree {
  const out = clone(tree);
  for (const w of widthFields(tree)) {
    if (w.role === "output" && keep.has(w.value)) continue;
    let node: unknown = out;
    for (const k of w.path) node = (node as Record<string | number, unknown>)[k];
    (node as Record<string, number>)[w.field] = f(w.value);
  }
  return out;
}

/** The tree with widths times factor, multiples of the heads' lcm, within 1..MAX_WIDTH. */
export function scaleTreeWidths(tree: UnitTree, factor: number, keep: ReadonlySet<number> = new Set()): UnitTree {
  const g = headsGranule(tree);
  const top = Math.floor(MAX_WIDTH / g) * g;
  return mapWidths(tree, (v) => clamp(g * Math.max(1, Math.round((v * factor) / g)), g, top), keep);
}

const key = (node: UnitTree) => canonicalJson(node);

/** The smallest period of items (compared by key), or items.length. */
function period(keys: string[]): number {
  for (let p = 1; p < keys.length; p++) {
    if (keys.length % p === 0 && keys.every((k, i) => i < p || k === keys[i - p])) return p;
  }
  return keys.length;
}

/** count' = max(1, round(count * factor)) repetitions of pattern. */
function repeatPattern(pattern: UnitTree[], count: number, factor: number): UnitTree[] {
  const n = Math.max(1, Math.round(count * factor));
  return Array.from({ length: n }, () => pattern.map((u) => clone(u))).flat();
}

const PLAIN_REPEATABLE = new Set(["linear", "mlp", "glu", "activation", "norm", "dropout"]);

/** Scales the repeated runs of one sequential's children. */
function scaleChildren(children: UnitTree[], factor: number): UnitTree[] {
  const out: UnitTree[] = [];
  let i = 0;
  while (i < children.length) {
    const c = children[i]!;
    if (c.unit === "residual") {
      let j = i;
      while (j < children.length && children[j]!.unit === "residual") j++;
      const run = children.slice(i, j);
      const p = period(run.map(key));
      out.push(...repeatPattern(run.slice(0, p), run.length / p, factor));
      i = j;
      continue;
    }
    // a plain pattern of 1..4 units repeated at least twice from here, e.g. [linear, activation] x L
    let best: { q: number; reps: number } | null = null;
    for (let q = 1; q <= 4 && i + 2 * q <= children.length; q++) {
      const pattern = children.slice(i, i + q);
      if (!pattern.every((u) => PLAIN_REPEATABLE.has(u.unit)) || !pattern.some((u) => u.unit !== "activation" && u.unit !== "norm" && u.unit !== "dropout")) continue;
      const pk = pattern.map(key);
      let reps = 1;
      while (i + (reps + 1) * q <= children.length && pk.every((k, t) => key(children[i + reps * q + t]!) === k)) reps++;
      if (reps >= 2 && (!best || q * reps > best.q * best.reps)) best = { q, reps };
    }
    if (best) {
      out.push(...repeatPattern(children.slice(i, i + best.q), best.reps, factor));
      i += best.q * best.reps;
      continue;
    }
    out.push(c);
    i++;
  }
  return out;
}

/** The tree with its repeated blocks and plain MLP layers scaled by factor. */
export function scaleTreeDepth(tree: UnitTree, factor: number): UnitTree {
  const visit = (node: UnitTree, inResidual: boolean): UnitTree => {
    switch (node.unit) {
      case "sequential":
        return { unit: "sequential", children: scaleChildren(node.children, factor).map((c) => visit(c, inResidual)) };
      case "residual":
        return { unit: "residual", child: visit(node.child, true) };
      case "mlp": {
        if (inResidual) return node;
        const layers = Math.max(1, Math.round((node.depth + 1) * factor));
        return { ...node, depth: clamp(layers - 1, 0, 8) };
      }
      default:
        return node;
    }
  };
  return visit(tree, false);
}

/** The task dims a width may have to equal (vector input dim, classes, outputs). */
function taskDims(spec: ReturnType<typeof normalize>["spec"]): Set<number> {
  const dims = new Set<number>();
  if (spec.input.kind === "vector") dims.add(spec.input.dim);
  else dims.add(spec.input.vocab).add(spec.input.length);
  dims.add(spec.output.kind === "classes" ? spec.output.classes : spec.output.dim);
  return dims;
}

const scaleCount = (v: number, f: number, lo: number, hi: number) => clamp(Math.round(v * f), lo, hi);

function scaleTrain(train: Experiment["train"], f: number): Experiment["train"] {
  const steps = scaleCount(train.steps, f, 1, 100_000_000);
  const s = train.schedule;
  const schedule = s.kind === "warmup" ? { ...s, warmupSteps: scaleCount(s.warmupSteps, f, 1, 100_000_000) }
    : s.kind === "cosine" ? { ...s, warmupSteps: scaleCount(s.warmupSteps, f, 0, 100_000_000) }
    : s.kind === "step" ? { ...s, stepSize: scaleCount(s.stepSize, f, 1, 100_000_000) }
    : s;
  return { ...train, steps, schedule };
}

/**
 * The experiment scaled by `factor` (> 0): widths, depth, data and steps together,
 * everything else fixed. Throws a GenerateError for an invalid input or when the
 * scaled experiment would not be valid (e.g. a width tied to the task's input dim
 * through a residual).
 */
export function scaleExperiment(input: ExperimentInput, factor: number, options: ScaleOptions = {}): ExperimentInput {
  return scaleWithId(input, factor, options).config;
}

function scaleWithId(input: ExperimentInput, factor: number, options: ScaleOptions): ScaledExperiment {
  if (!(Number.isFinite(factor) && factor > 0)) throw new GenerateError(`scale factor must be a positive number, got ${factor}`);
  const { config, spec } = normalize(input);
  const o = { width: true, depth: true, data: true, steps: true, ...options };
  const scaled = clone(config);
  let tree = scaled.model;
  if (o.depth) tree = scaleTreeDepth(tree, factor);
  const task = { ...scaled.task };
  if (o.data && typeof task.trainSize === "number" && task.family !== "modular-arithmetic") {
    task.trainSize = scaleCount(task.trainSize, factor, 1, 10_000_000);
  }
  const train = o.steps ? scaleTrain(scaled.train, factor) : scaled.train;
  const log = o.steps
    ? { ...scaled.log, checkpoints: [...new Set(scaled.log.checkpoints.map((c) => Math.min(train.steps, Math.round(c * factor))))] }
    : scaled.log;
  const assemble = (model: UnitTree) => ({ ...scaled, task, model, train, log });
  const attempts = o.width ? [scaleTreeWidths(tree, factor), scaleTreeWidths(tree, factor, taskDims(spec))] : [tree];
  for (const model of attempts) {
    const done = finish(assemble(model));
    if (done) return { factor, config: done.config, id: done.norm.id, paramCount: done.norm.paramCount };
  }
  const v = normalize(assemble(attempts[0]!), `the experiment scaled by ${factor}`);
  throw new GenerateError(`scaling by ${factor} gave an invalid experiment ${v.id}`);
}

/** One scaled experiment per factor, in order (factor 1 gives the compacted input). */
export function scaleLadder(input: ExperimentInput, factors: readonly number[], options: ScaleOptions = {}): ScaledExperiment[] {
  return factors.map((f) => scaleWithId(input, f, options));
}
