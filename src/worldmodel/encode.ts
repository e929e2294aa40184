// Config -> fixed-length feature vector for the world model. Named features for
// what we know matters (task family, each registered family's own knobs, size of
// the model, the recipe on log scales, one-hots of optimizer and schedule), plus
// a hashing-trick block in which every
// numeric or categorical leaf of the config enters by its path name, so that
// hyperparameters the encoder has never heard of (imported runs, new task knobs)
// still change the encoding. The length depends only on the registries and
// HASH_BUCKETS, never on the data; a Standardizer fitted on training examples
// centres and scales it and is saved with the model.
//
// Weight decay enters also as the run's length in decay timescales (lr x wd x
// steps, and the fraction of an initial weight decayed away): on 6,202 runs
// (random split, 6 draws) median within-family Spearman 0.744 -> 0.759 (4 of 6
// draws up) and fork sign accuracy 0.685 -> 0.730 (a quarter of the forks set
// wd 0.1), with sweep sign accuracy unchanged (0.831) and divergence AUC 0.958 ->
// 0.954; on held-out families (3 draws) within-family 0.324 -> 0.330. The sign of
// weight-decay sweeps' own effects stayed at 0.63 (seed noise allows about 0.91).
// Those timescales assumed every optimizer decays decoupled. Adam's weight decay
// is an L2 term that Adam normalizes with the gradient, and SGD's default
// momentum 0.9 makes its decay ten times what lr x wd says; so Adam now gets its
// own feature (log10 wd) and no timescale, and SGD's timescale counts momentum.
// On 12,599 runs (6 draws each of the random and family splits, and the scale
// cut) the change was neutral overall: within-family Spearman 0.807 -> 0.810,
// 0.368 -> 0.374 and 0.818 -> 0.829, sign accuracy 0.845 -> 0.840, 0.712 ->
// 0.703 and 0.804 -> 0.797; the weight-decay sweeps' signs 0.76 -> 0.77 on the
// random split and 0.74 -> 0.95 (86 pairs) on the scale cut. Kept because it is
// how the engine's optimizers apply the decay.
//
// Tried and left out: the task's input/output shape from its TaskSpec (tokens or
// vector and their count, classes and the chance-level loss ln(classes), or the
// regression dim). On 2,579 runs it helped (random split seeds 0 / 1 / 2: median
// within-family Spearman +0.044 / +0.038 / +0.001, sign accuracy +0.08 / +0.02 /
// +0.01), on 5,619-5,832 runs it did not (within-family -0.014 / -0.015 on the
// random split, -0.029 on the family split, R^2 there 0.024 -> -0.056; only
// divergence AUC kept rising, +0.006 to +0.03). Kept in the family-agnostic mode
// as well, it lifted pooled Spearman on held-out families 0.57 -> 0.82 (2,579
// runs), but a new family was then predicted like the known family of its shape,
// and intervals calibrated on held-out runs of known families no longer covered
// one that strays from it (coverage 0.83 -> 0.71; 0.05 on a synthetic family).
// Also left out: seven sweep knobs (log lr, log mean width, log parameters, log
// steps, log train size, log weight decay, difficulty) entered a second time per
// family (the family's one-hot times the knob, 98 features), so each family gets
// its own first-layer slope for them. On 12,599 runs (random split, draws 0-2,
// against this encoding) width's sweep signs rose 0.67 -> 0.88 (45 pairs), but
// train size fell 0.83 -> 0.79 and weight decay 0.77 -> 0.73, so sign accuracy
// went 0.852 -> 0.845; within-family Spearman 0.824 -> 0.827 (0.840 / 0.861 /
// 0.772 -> 0.829 / 0.856 / 0.797), divergence AUC 0.972 -> 0.966. Crossing
// only width and parameters: within-family 0.835 / 0.862 / 0.790 (mean 0.829),
// sign accuracy 0.852 -> 0.846 (width's signs 0.77), divergence AUC 0.965. Both
// moved less than one fit moves by its own seed (docs/world-model-tries.md).

import { taskNames, tasks } from "../universe/tasks/index.js";
import { unitKinds } from "../universe/units/index.js";
import { paramCountOf } from "./param-count.js";

export const HASH_BUCKETS = 64;

const OPTIMIZERS = ["sgd", "adam", "adamw"] as const;
const SCHEDULES = ["constant", "warmup", "cosine", "step"] as const;
/** leaves that carry no signal about dynamics (seeds are noise, the rest is bookkeeping) */
const IGNORED_KEYS = new Set(["seed", "name", "evalPoints", "evalExamples", "checkpoints", "log"]);
const WIDTH_KEYS = /^(width|dim|out|hidden|heads|size|features|units)$/i;

type Obj = Record<string, unknown>;
/** A plain object (not null, not an array): a config section or unit. */
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** 32-bit FNV-1a of a string. */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const signedLog1p = (x: number): number => Math.sign(x) * Math.log1p(Math.abs(x));
/** |knob| below this (zero included) counts as this on the log scale */
const KNOB_LOG_FLOOR = 1e-4;

/**
 * Each registered family's own parameters, one slot each (filled only for a task of
 * that family): the net sees every family's knobs apart, without hash collisions.
 */
const TASK_KNOBS: readonly (readonly [string, string])[] = taskNames.flatMap((f) =>
  Object.keys((tasks[f].params as unknown as { shape: Record<string, unknown> }).shape).map((k) => [f, k] as const));
const TASK_KNOB_INDEX = new Map(TASK_KNOBS.map(([f, k], i) => [`${f}.${k}`, i]));
const TASK_KNOBS_BY_FAMILY = new Map(taskNames.map((f) => [f as string, TASK_KNOBS.filter(([g]) => g === f).map(([, k]) => k)]));

/** The names of the features, in vector order (fixed for a given code version). */
export const FEATURE_NAMES: readonly string[] = [
  ...taskNames.map((f) => `family=${f}`), "family=other",
  "task.difficulty", "task.difficulty.mask", "log10.trainSize", "task.stream", "log10.testSize",
  ...TASK_KNOBS.map(([f, k]) => `task.${f}.${k}`),
  ...TASK_KNOBS.map(([f, k]) => `log10.task.${f}.${k}`),
  "log10.paramCount", "paramCount.mask",
  "model.depth", "model.units", ...unitKinds.map((k) => `log1p.units.${k}`), "log2.width.max", "log2.width.mean", "mlp.hiddenLayers",
  ...OPTIMIZERS.map((o) => `optimizer=${o}`), "optimizer=other",
  ...SCHEDULES.map((s) => `schedule=${s}`), "schedule=other",
  "log10.lr", "lr.mask", "log10.weightDecay", "weightDecay.positive", "log10.steps", "log2.batchSize", "batch.full",
  "log10.epochs", "log10.lrTimesSteps", "log10.decayTimesSteps", "decayedFraction", "log10.adamL2", "log1p.warmupSteps", "warmupFraction", "schedule.minFactor", "schedule.gamma",
  "log10.decays", "momentum", "nesterov", "beta1", "log10.oneMinusBeta2", "log10.eps", "clip.on", "log10.clipNorm", "log10.initScale",
  ...Array.from({ length: HASH_BUCKETS }, (_, i) => `hash.${i}`),
];
export const FEATURE_COUNT = FEATURE_NAMES.length;

interface TreeSummary { depth: number; units: Map<string, number>; widths: number[]; mlpHidden: number }

function summarizeTree(node: unknown, depth: number, s: TreeSummary): void {
  if (Array.isArray(node)) {
    for (const child of node) summarizeTree(child, depth, s);
    return;
  }
  if (!isObj(node)) return;
  const kind = typeof node.unit === "string" ? node.unit : null;
  const d = kind ? depth + 1 : depth;
  if (kind) {
    s.depth = Math.max(s.depth, d);
    s.units.set(kind, (s.units.get(kind) ?? 0) + 1);
    if (kind === "mlp") s.mlpHidden += num(node.depth) ?? 1;
  }
  for (const k in node) {
    const v = node[k];
    const n = num(v);
    if (n !== null && WIDTH_KEYS.test(k) && n > 0) s.widths.push(n);
    else if (typeof v === "object") summarizeTree(v, d, s);
  }
}

const FNV_OFFSET = 0x811c9dc5;
const SIGN_SEED = 0x9e3779b9;

/** Continues an FNV-1a hash with the characters of s (so hashing a path needs no string building). */
function fnvMore(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Adds every leaf under `value` to the hash block, keyed by its path without list
 * indices ("train.lr", "model.children.width"; a string leaf by "path=value").
 * h1 and h2 are the running FNV-1a hashes of the path (bucket and sign seeds), equal
 * to fnv1a(path) and fnv1a(path, SIGN_SEED); `root` says the path is still empty.
 */
function hashLeaves(value: unknown, h1: number, h2: number, root: boolean, out: Float32Array, offset: number): void {
  if (Array.isArray(value)) {
    for (const v of value) hashLeaves(v, h1, h2, root, out, offset);
    return;
  }
  if (isObj(value)) {
    for (const k in value) {
      if (IGNORED_KEYS.has(k)) continue;
      const a = root ? h1 : fnvMore(h1, "."), b = root ? h2 : fnvMore(h2, ".");
      hashLeaves(value[k], fnvMore(a, k), fnvMore(b, k), false, out, offset);
    }
    return;
  }
  let x: number;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return;
    x = signedLog1p(value);
  } else if (typeof value === "boolean") {
    x = value ? 1 : -1;
  } else if (typeof value === "string") {
    // a categorical leaf: one indicator per (path, value)
    h1 = fnvMore(fnvMore(h1, "="), value);
    h2 = fnvMore(fnvMore(h2, "="), value);
    x = 1;
  } else return;
  out[offset + (h1 % HASH_BUCKETS)]! += (h2 & 1 ? 1 : -1) * x;
}

/**
 * Encodes a (validated) experiment config. `paramCount` skips building the tree
 * when the caller knows it (stored runs do). Missing values give 0 and, where it
 * matters, a mask feature of 0.
 */
export function encodeConfig(config: unknown, paramCount?: number | null, out = new Float32Array(FEATURE_COUNT)): Float32Array {
  out.fill(0);
  const c = isObj(config) ? config : {};
  const task = isObj(c.task) ? c.task : {};
  const model = c.model;
  const train = isObj(c.train) ? c.train : {};
  let i = 0;
  const put = (v: number) => (out[i++] = v);
  const oneHot = (options: readonly string[], value: unknown) => {
    const k = options.indexOf(value as string);
    for (let j = 0; j <= options.length; j++) put(j === (k < 0 ? options.length : k) ? 1 : 0);
  };

  oneHot(taskNames, task.family);
  const difficulty = num(task.difficulty);
  put(difficulty ?? 0); put(difficulty === null ? 0 : 1);
  const trainSize = num(task.trainSize);
  put(trainSize !== null ? Math.log10(trainSize) : 0); put(task.trainSize === "stream" ? 1 : 0);
  put(Math.log10(num(task.testSize) ?? 1));
  const knobs = i;
  i += 2 * TASK_KNOBS.length;
  for (const k of TASK_KNOBS_BY_FAMILY.get(task.family as string) ?? []) {
    const v = task[k];
    const at = knobs + TASK_KNOB_INDEX.get(`${task.family as string}.${k}`)!;
    if (typeof v === "number" && Number.isFinite(v)) {
      out[at] = signedLog1p(v);
      // the magnitude on a log scale too: small knobs (noise levels, rates) matter by their order of magnitude
      out[at + TASK_KNOBS.length] = Math.log10(Math.max(Math.abs(v), KNOB_LOG_FLOOR));
    } else if (typeof v === "boolean") out[at] = v ? 1 : -1;
  }

  const params = paramCount && paramCount > 0 ? paramCount : paramCountOf(config);
  put(params ? Math.log10(params) : 0); put(params ? 1 : 0);

  const tree: TreeSummary = { depth: 0, units: new Map(), widths: [], mlpHidden: 0 };
  summarizeTree(model, 0, tree);
  put(tree.depth);
  put(Math.log1p([...tree.units.values()].reduce((a, b) => a + b, 0)));
  for (const k of unitKinds) put(Math.log1p(tree.units.get(k) ?? 0));
  const logWidths = tree.widths.map(Math.log2);
  put(logWidths.length ? Math.max(...logWidths) : 0);
  put(logWidths.length ? logWidths.reduce((a, b) => a + b, 0) / logWidths.length : 0);
  put(tree.mlpHidden);

  oneHot(OPTIMIZERS, train.optimizer);
  const schedule = isObj(train.schedule) ? train.schedule : { kind: "constant" };
  oneHot(SCHEDULES, schedule.kind);
  const lr = num(train.lr);
  put(lr && lr > 0 ? Math.log10(lr) : 0); put(lr && lr > 0 ? 1 : 0);
  const wd = num(train.weightDecay) ?? 0;
  const logWd = Math.log10(Math.max(wd, 1e-6));
  put(logWd); put(wd > 0 ? 1 : 0);
  const steps = Math.max(1, num(train.steps) ?? 1);
  put(Math.log10(steps));
  const full = train.batchSize === "full";
  const batch = full ? trainSize ?? 1024 : num(train.batchSize) ?? 64;
  put(Math.log2(Math.max(1, batch))); put(full ? 1 : 0);
  put(Math.log10((steps * batch) / Math.max(1, trainSize ?? steps * batch)));
  put(lr && lr > 0 ? Math.log10(lr * steps) : 0);
  // Weight decay works one of two ways. Decoupled (AdamW) or under SGD, each step
  // takes lr x wd of a weight away (with momentum m, lr x wd / (1 - m) once the
  // momentum has built up): its effect depends on how many of those timescales
  // the run lasts. Adam adds wd x w to the gradient before normalizing it, so
  // there is no timescale but a floor: training stalls where the loss gradient
  // has shrunk to wd x w, and wd alone says how low the loss can go.
  const coupledToAdam = train.optimizer === "adam";
  const momentum = train.optimizer === "sgd" ? Math.min(0.99, num(train.momentum) ?? 0) : 0;
  const decay = lr && lr > 0 && !coupledToAdam ? (lr * wd * steps) / (1 - momentum) : 0;
  put(Math.log10(Math.max(decay, 1e-6))); put(1 - Math.exp(-decay));
  put(coupledToAdam && wd > 0 ? logWd : -6);
  const warmup = num(schedule.warmupSteps) ?? 0;
  put(Math.log1p(warmup)); put(Math.min(1, warmup / steps));
  put(num(schedule.minFactor) ?? (schedule.kind === "cosine" ? 0 : 1));
  put(num(schedule.gamma) ?? 1);
  const stepSize = num(schedule.stepSize);
  put(stepSize ? Math.log10(1 + steps / stepSize) : 0);
  put(train.optimizer === "sgd" ? num(train.momentum) ?? 0 : 0);
  put(train.nesterov === true ? 1 : 0);
  put(num(train.beta1) ?? 0.9);
  put(Math.log10(Math.max(1e-6, 1 - (num(train.beta2) ?? 0.999))));
  put(Math.log10(num(train.eps) ?? 1e-8));
  const clip = num(train.clipNorm);
  put(clip ? 1 : 0); put(clip ? Math.log10(clip) : 0);
  put(Math.log10(num(train.initScale) ?? 1));

  // task, model, train, and top-level fields beyond them (imported runs may carry some)
  hashLeaves(c, FNV_OFFSET, SIGN_SEED, true, out, i);
  return out;
}

/** Per-feature mean and std fitted on training encodings; features constant there are ignored. */
export class Standardizer {
  /** std 0 marks a feature that was constant in the fitted rows: it is ignored (standardizes to 0) */
  constructor(readonly mean: Float32Array, readonly std: Float32Array) {}

  static fit(rows: readonly Float32Array[], dims = rows[0]?.length ?? FEATURE_COUNT): Standardizer {
    const { mean, std } = moments(rows, dims);
    return new Standardizer(Float32Array.from(mean), Float32Array.from(std, (sd) => (sd > 1e-6 ? sd : 0)));
  }

  /**
   * A copy in which the ignored features are fitted afresh on `rows` (the others
   * keep their scales): a warm-started model learns the features its data now
   * varies in (a family seen for the first time), while the weights of the rest
   * still mean what they meant. An ignored feature's weights never had a gradient.
   */
  refitIgnored(rows: readonly Float32Array[]): Standardizer {
    const { mean, std } = moments(rows, this.dims);
    const out = new Standardizer(Float32Array.from(this.mean), Float32Array.from(this.std));
    for (let j = 0; j < this.dims; j++) {
      if (out.std[j] === 0 && std[j]! > 1e-6) {
        out.mean[j] = mean[j]!;
        out.std[j] = std[j]!;
      }
    }
    return out;
  }

  get dims(): number {
    return this.mean.length;
  }

  /**
   * Standardizes in place (or into `out`), clipping to +-10 so a far-off query
   * stays finite. A feature constant in training gives 0: it says nothing the
   * model learned (an unseen family's one-hot and knobs would otherwise reach
   * first-layer weights that were never trained).
   */
  apply(row: Float32Array, out = row): Float32Array {
    for (let j = 0; j < this.mean.length; j++) {
      const sd = this.std[j]!;
      const z = sd === 0 ? 0 : (row[j]! - this.mean[j]!) / sd;
      out[j] = z > 10 ? 10 : z < -10 ? -10 : z;
    }
    return out;
  }
}

/** Per-column mean and (population) std of rows. */
function moments(rows: readonly Float32Array[], dims: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(dims), sq = new Float64Array(dims);
  for (const r of rows) for (let j = 0; j < dims; j++) mean[j]! += r[j]!;
  const n = Math.max(1, rows.length);
  for (let j = 0; j < dims; j++) mean[j]! /= n;
  for (const r of rows) for (let j = 0; j < dims; j++) sq[j]! += (r[j]! - mean[j]!) ** 2;
  return { mean, std: Float64Array.from(sq, (v) => Math.sqrt(v / n)) };
}
