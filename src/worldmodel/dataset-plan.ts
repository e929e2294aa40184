// The plan of the world model's standing dataset: a deterministic list of N
// experiments (from a seed) that mixes independent samples of the whole universe
// with one-at-a-time (OAT) sweeps around random anchors, so the dataset observes
// interventions: within one sweep every run is the anchor with a single knob
// (learning rate, weight decay, steps, one model width, the train set size or
// the task's difficulty) set to another value. Blocks of the plan draw from their
// own generator streams, so the first k runs of a plan of N are those of any
// larger plan (the dataset can be extended). Runs are kept cheap (estimateCost)
// because the dataset must hold thousands of them.

import type { Rng } from "../engine/rng.js";
import type { Experiment, ExperimentInput } from "../universe/config/experiment.js";
import { applyInterventions } from "../universe/config/intervention.js";
import { DEFAULT_PRIORS, estimateCost, generatorRng, sampleExperimentInfo, type Priors } from "../universe/generate/index.js";
import { finish, type Normalized } from "../universe/generate/normalize.js";
import { FINITE_FAMILIES } from "../universe/generate/tasks.js";
import { headsGranule, modelPath, widthFields } from "../universe/generate/tree.js";
import { MAX_WIDTH } from "../universe/units/common.js";
import type { TaskName } from "../universe/tasks/index.js";

/** The knobs an OAT sweep may turn; each is one config path of the anchor's document. */
export const SWEEP_KNOBS = ["train.lr", "train.weightDecay", "train.steps", "model.width", "task.trainSize", "task.difficulty"] as const;
export type SweepKnob = (typeof SWEEP_KNOBS)[number];

export interface DatasetBudget {
  /** estimated seconds (estimateCost) of an independent sample */
  sampleSeconds: number;
  /** of a sweep's anchor */
  anchorSeconds: number;
  /** of any sweep point (a x4 steps or width point costs more than its anchor) */
  pointSeconds: number;
  /** parameters of any run */
  maxParams: number;
}

/** Short runs: the dataset trains thousands of them on a shared 2-core machine. */
export const DEFAULT_DATASET_BUDGET: DatasetBudget = { sampleSeconds: 1.5, anchorSeconds: 0.75, pointSeconds: 3, maxParams: 100_000 };

/** Probability that a block is an OAT sweep (about 5 runs) rather than one sample: ~40% of runs end up in sweeps. */
export const SWEEP_BLOCK_PROBABILITY = 0.12;
/** Sweeps with fewer valid points than this are dropped (the block becomes a sample). */
export const MIN_SWEEP_POINTS = 3;

export interface PlannedSweep {
  /** stable name in the store, e.g. "wm-0-s12" */
  name: string;
  knob: SweepKnob;
  /** the concrete document path set by the sweep, e.g. "model.children[0].width" */
  path: string;
  anchorId: string;
  values: unknown[];
}

export interface PlannedRun {
  /** position in the plan; the run's name is `wm-<seed>-<index>` */
  index: number;
  name: string;
  /** compact document (no name) and its validated form */
  input: ExperimentInput;
  config: Experiment;
  configId: string;
  paramCount: number;
  estimatedSeconds: number;
  family: string;
  /** the sweep this run belongs to (null for an independent sample) */
  sweep: PlannedSweep | null;
}

const FACTORS = [0.25, 0.5, 1, 2, 4];
const sig3 = (x: number) => Number(x.toPrecision(3));

type KnobValues = (n: Normalized, input: ExperimentInput, rng: Rng) => { path: string; values: unknown[] } | null;

/** How each knob picks its path and values around an anchor (null: not applicable to this anchor). */
const knobValues: { readonly [K in SweepKnob]: KnobValues } = {
  "train.lr": (n) => ({ path: "train.lr", values: FACTORS.map((f) => Math.min(100, sig3(n.config.train.lr * f))) }),
  "train.weightDecay": () => ({ path: "train.weightDecay", values: [0, 1e-4, 1e-3, 1e-2, 1e-1] }),
  "train.steps": (n) => ({ path: "train.steps", values: FACTORS.map((f) => Math.max(10, Math.round(n.config.train.steps * f))) }),
  "model.width": (n, _input, rng) => {
    const fields = widthFields(n.config.model);
    if (fields.length === 0) return null;
    const w = fields[rng.int(fields.length)]!;
    const g = headsGranule(n.config.model);
    const values = FACTORS.map((f) => Math.min(Math.floor(MAX_WIDTH / g) * g, g * Math.max(1, Math.round((w.value * f) / g))));
    return { path: modelPath(w.path, w.field), values };
  },
  "task.trainSize": (n) => {
    const task = n.config.task;
    if (task.family === "modular-arithmetic") return { path: "task.trainFraction", values: [0.2, 0.35, 0.5, 0.65, 0.8] };
    if (typeof task.trainSize !== "number" || FINITE_FAMILIES.has(task.family as TaskName)) return null;
    return { path: "task.trainSize", values: FACTORS.map((f) => Math.max(8, Number(Math.round(task.trainSize as number * f).toPrecision(2)))) };
  },
  "task.difficulty": (_n, input) => {
    // only when the knob drives the family's parameters (the document sets none of them)
    const d = (input.task as Record<string, unknown>).difficulty;
    return typeof d === "number" ? { path: "task.difficulty", values: [0.1, 0.3, 0.5, 0.7, 0.9] } : null;
  },
};

interface Point { input: ExperimentInput; norm: Normalized; seconds: number; value: unknown }

/** The valid, affordable, distinct points of one knob around an anchor. */
function sweepPoints(anchor: ExperimentInput, path: string, values: unknown[], budget: DatasetBudget): Point[] {
  const out: Point[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    let done: ReturnType<typeof finish>;
    try {
      done = finish(applyInterventions(anchor, [{ path, op: "set", value }]), budget.maxParams);
    } catch {
      continue;
    }
    if (!done || seen.has(done.norm.id)) continue;
    const seconds = estimateCost(done.norm).total;
    if (seconds > budget.pointSeconds) continue;
    seen.add(done.norm.id);
    out.push({ input: done.config, norm: done.norm, seconds, value });
  }
  return out;
}

const priorsWith = (seconds: number, budget: DatasetBudget): Priors => ({
  ...DEFAULT_PRIORS,
  limits: { ...DEFAULT_PRIORS.limits, maxSeconds: seconds, maxParams: budget.maxParams },
});

/** A block of the plan: one sample or one sweep, from its own generator stream. */
function planBlock(seed: number, block: number, budget: DatasetBudget): { points: Point[]; sweep: Omit<PlannedSweep, "name"> | null } {
  const rng = generatorRng(seed, block);
  if (rng.uniform() < SWEEP_BLOCK_PROBABILITY) {
    const anchor = sampleExperimentInfo(rng, priorsWith(budget.anchorSeconds, budget));
    const anchorNorm = finish(anchor.config)!.norm;
    const knobs = [...SWEEP_KNOBS];
    while (knobs.length > 0) {
      const knob = knobs.splice(rng.int(knobs.length), 1)[0]!;
      const plan = knobValues[knob](anchorNorm, anchor.config, rng);
      if (!plan) continue;
      const points = sweepPoints(anchor.config, plan.path, plan.values, budget);
      if (points.length >= MIN_SWEEP_POINTS) {
        return { points, sweep: { knob, path: plan.path, anchorId: anchor.id, values: points.map((p) => p.value) } };
      }
    }
  }
  const info = sampleExperimentInfo(rng, priorsWith(budget.sampleSeconds, budget));
  const done = finish(info.config)!;
  return { points: [{ input: done.config, norm: done.norm, seconds: info.cost.total, value: null }], sweep: null };
}

/** The first `runs` experiments of the dataset of `seed`: deterministic, prefix-stable. */
export function planDataset(runs: number, seed: number, budget: DatasetBudget = DEFAULT_DATASET_BUDGET): PlannedRun[] {
  if (!Number.isInteger(runs) || runs < 0) throw new RangeError(`planDataset: runs must be an integer >= 0, got ${runs}`);
  const out: PlannedRun[] = [];
  const seen = new Set<string>();
  for (let block = 0; out.length < runs; block++) {
    const { points, sweep } = planBlock(seed, block, budget);
    // a sample that repeats an earlier config adds nothing; sweep points are kept (a sweep needs all its points)
    if (!sweep && seen.has(points[0]!.norm.id)) continue;
    const planned = sweep ? { ...sweep, name: `wm-${seed}-s${block}` } : null;
    for (const p of points) {
      if (out.length >= runs) break;
      seen.add(p.norm.id);
      const index = out.length;
      out.push({
        index, name: `wm-${seed}-${index}`, input: p.input, config: p.norm.config, configId: p.norm.id,
        paramCount: p.norm.paramCount, estimatedSeconds: p.seconds, family: p.norm.config.task.family, sweep: planned,
      });
    }
  }
  return out;
}
