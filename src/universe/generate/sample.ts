// The sampler: draws a whole experiment (task, model tree, training recipe) from the
// priors of tasks.ts, models.ts and recipe.ts, then keeps it cheap: the parameter
// count is held under `maxParams` by halving widths, and the estimated seconds of
// the whole run (training steps, evaluations and data generation, by a cost model
// fitted on timed runs) under `maxSeconds` by cutting, in turn, the steps (not
// below 100), the batch, the repeated blocks, the widths and the evaluation set.
// The grammar is valid by construction; a draw is only resampled when the budget
// cannot be met, and the number of draws is reported so tests can check how rare
// that is.

import type { Rng } from "../../engine/rng.js";
import type { ExperimentInput } from "../config/experiment.js";
import { DEFAULT_MODEL_PRIOR, sampleModel, type ModelPrior } from "./models.js";
import { finish, type Normalized } from "./normalize.js";
import { floorPow2, generatorRng } from "./random.js";
import { DEFAULT_RECIPE_PRIOR, sampleRecipe, type RecipePrior } from "./recipe.js";
import { scaleExperiment } from "./scale.js";
import { DEFAULT_TASK_PRIOR, fixedTrainCount, resolveTask, sampleTask, type TaskPrior } from "./tasks.js";
import { forwardWork, walkTree, widthFields, type ForwardWork } from "./tree.js";

export interface SampleLimits {
  /** parameters per model */
  maxParams: number;
  /** estimated seconds of the whole run on one core (see COST_MODEL) */
  maxSeconds: number;
  /** steps are never cut below this */
  minSteps: number;
}

/** Most samples train in a second or two; none is estimated above 8 s. */
export const DEFAULT_LIMITS: SampleLimits = { maxParams: 200_000, maxSeconds: 8, minSteps: 100 };

export interface Priors {
  task: TaskPrior;
  model: ModelPrior;
  recipe: RecipePrior;
  limits: SampleLimits;
}

export const DEFAULT_PRIORS: Priors = {
  task: DEFAULT_TASK_PRIOR,
  model: DEFAULT_MODEL_PRIOR,
  recipe: DEFAULT_RECIPE_PRIOR,
  limits: DEFAULT_LIMITS,
};

/**
 * The cost model, in seconds of one core of the reference machine (the 2-core CI
 * box, WASM SIMD kernels), fitted on timed runs of sampled experiments (median
 * ratio of measured to estimated time about 1.1, 90% within 0.6..3): per matmul
 * multiply-add, per elementwise value, per attention score or transposed value,
 * per unit kernel and pass, per parameter tensor and step (optimizer update), and
 * per input value the task generates.
 */
export const COST_MODEL = {
  perMac: 7e-11,
  perElement: 1e-9,
  perScattered: 1e-8,
  perKernel: 1e-6,
  perTensorStep: 2.4e-5,
  perGenerated: 1.5e-7,
};

export interface CostEstimate {
  /** work of one forward pass of one example */
  forward: ForwardWork;
  /** examples per step */
  batch: number;
  /** estimated seconds of one optimizer step */
  perStep: number;
  /** of all evaluations together */
  evaluation: number;
  /** of generating the fixed train and test sets */
  data: number;
  /** of the whole run: steps * perStep + evaluation + data */
  total: number;
}

/** Estimated seconds of `passes` forward passes over `examples` examples each (backward counts as two passes). */
function passSeconds(w: ForwardWork, examples: number, passes: number): number {
  const m = COST_MODEL;
  return passes * (examples * (w.macs * m.perMac + w.elements * m.perElement + w.scattered * m.perScattered) + w.kernels * m.perKernel);
}

/** The estimated cost of training a validated experiment to the end, in seconds. */
export function estimateCost(n: Normalized): CostEstimate {
  const forward = forwardWork(walkTree(n.config.model, n.spec), n.spec);
  const train = n.config.train;
  const task = n.config.task;
  const count = fixedTrainCount(task);
  const batch = train.batchSize === "full" ? count ?? 1 : train.batchSize;
  const evals = Math.min(train.evalPoints, train.steps + 1);
  const trainEval = Math.min(train.evalExamples, count ?? train.evalExamples);
  const testEval = Math.min(train.evalExamples, task.testSize);
  const inputWidth = n.spec.input.kind === "vector" ? n.spec.input.dim : n.spec.input.length;
  const streamed = count === null ? batch * COST_MODEL.perGenerated * inputWidth : 0;
  const perStep = passSeconds(forward, batch, 3) + forward.tensors * COST_MODEL.perTensorStep + streamed;
  const evaluation = evals * (passSeconds(forward, trainEval, 1) + passSeconds(forward, testEval, 1));
  const data = ((count ?? 0) + task.testSize) * inputWidth * COST_MODEL.perGenerated;
  return { forward, batch, perStep, evaluation, data, total: train.steps * perStep + evaluation + data };
}

export interface SampleInfo {
  config: ExperimentInput;
  id: string;
  paramCount: number;
  cost: CostEstimate;
  /** draws needed (1 unless a draw was resampled) */
  attempts: number;
  /** the budget repairs applied to the accepted draw, e.g. "widths x0.5" */
  repairs: string[];
}

type Draw = { config: ExperimentInput; norm: Normalized };

/** x rounded down to two significant digits. */
function floorSig2(x: number): number {
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(1, x))) - 1);
  return Math.floor(x / unit) * unit;
}

const halve = (c: ExperimentInput, what: "width" | "depth") =>
  scaleExperiment(c, 0.5, { width: what === "width", depth: what === "depth", data: false, steps: false });

/** Widths are not halved below this (the smallest width field of the tree). */
const MIN_REPAIR_WIDTH = 8;

/**
 * Brings a valid draw under the limits, or returns null when it cannot: widths are
 * halved while there are too many parameters; then, while the run costs too much,
 * the steps (at most /3 at a time, not below minSteps), the batch (/2, not below
 * 8), the repeated blocks (/2), the widths (/2, not below 8) and the evaluation
 * examples (/2, not below 128) are cut in turn, so no single knob absorbs the
 * whole cut.
 */
function repair(draw: Draw, limits: SampleLimits, repairs: string[]): Draw | null {
  let cur = draw;
  const apply = (next: ExperimentInput, what: string): boolean => {
    const done = finish(next);
    if (!done || done.norm.id === cur.norm.id) return false;
    cur = done;
    repairs.push(what);
    return true;
  };
  const minWidth = () => Math.min(...widthFields(cur.norm.config.model).map((w) => w.value));
  const cuts: Array<(cost: CostEstimate) => boolean> = [
    (cost) => {
      const train = cur.norm.config.train;
      if (train.steps <= limits.minSteps) return false;
      const affordable = floorSig2(Math.max(0, limits.maxSeconds - cost.evaluation - cost.data) / cost.perStep);
      const steps = Math.max(limits.minSteps, floorSig2(Math.max(train.steps / 3, Math.min(train.steps - 1, affordable))));
      return apply(scaleExperiment(cur.config, steps / train.steps, { width: false, depth: false, data: false }), `steps ${train.steps} -> ${steps}`);
    },
    () => {
      const train = cur.norm.config.train;
      const count = fixedTrainCount(cur.norm.config.task);
      const batch = train.batchSize === "full" ? count ?? 1 : train.batchSize;
      if (batch <= 8) return false;
      const batchSize = Math.max(8, floorPow2(Math.min(256, batch - 1)));
      return apply({ ...cur.config, train: { ...cur.config.train, batchSize } }, `batch ${train.batchSize} -> ${batchSize}`);
    },
    () => apply(halve(cur.config, "depth"), "depth x0.5"),
    () => minWidth() > MIN_REPAIR_WIDTH && apply(halve(cur.config, "width"), "widths x0.5"),
    () => {
      const e = cur.norm.config.train.evalExamples;
      return e > 128 && apply({ ...cur.config, train: { ...cur.config.train, evalExamples: Math.max(128, Math.floor(e / 2)) } }, `evalExamples ${e} -> ${Math.max(128, Math.floor(e / 2))}`);
    },
  ];
  let turn = 0;
  for (let round = 0; round < 32; round++) {
    if (cur.norm.paramCount > limits.maxParams) {
      if (!apply(halve(cur.config, "width"), "widths x0.5")) return null;
      continue;
    }
    const cost = estimateCost(cur.norm);
    if (cost.total <= limits.maxSeconds) return cur;
    let cut = false;
    for (let k = 0; k < cuts.length && !cut; k++) cut = cuts[(turn + k) % cuts.length]!(cost);
    if (!cut) return null;
    turn++;
  }
  return null;
}

/** One raw draw from the priors (valid by construction), compacted; null if it is not valid. */
function draw(rng: Rng, priors: Priors): Draw | null {
  const taskInput = sampleTask(rng, priors.task);
  let resolved: ReturnType<typeof resolveTask>;
  try {
    resolved = resolveTask(taskInput);
  } catch {
    return null;
  }
  const { task, spec } = resolved;
  const model = sampleModel(rng, spec, task.family, priors.model);
  const train = sampleRecipe(rng, fixedTrainCount(task), priors.recipe);
  return finish(structuredClone({ task: taskInput, model, train }));
}

/** The most draws one sample may take before giving up (never reached with the default priors). */
export const MAX_ATTEMPTS = 100;

/** A sampled experiment with its id, size, cost and how it was obtained. */
export function sampleExperimentInfo(rng: Rng, priors: Priors = DEFAULT_PRIORS): SampleInfo {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const raw = draw(rng, priors);
    if (!raw) continue;
    const repairs: string[] = [];
    const ok = repair(raw, priors.limits, repairs);
    if (!ok) continue;
    return { config: ok.config, id: ok.norm.id, paramCount: ok.norm.paramCount, cost: estimateCost(ok.norm), attempts: attempt, repairs };
  }
  throw new Error(`sampleExperiment: no valid experiment in ${MAX_ATTEMPTS} draws (the priors or limits are inconsistent)`);
}

/** A valid, cheap experiment drawn from the priors over the whole universe. */
export function sampleExperiment(rng: Rng, priors: Priors = DEFAULT_PRIORS): ExperimentInput {
  return sampleExperimentInfo(rng, priors).config;
}

/**
 * n distinct experiments (by id), deterministic in the seed: draw i uses its own
 * counter range of the generator stream, so the first k of n are the k of any
 * larger n.
 */
export function sampleExperimentInfos(n: number, seed: number, priors: Priors = DEFAULT_PRIORS): SampleInfo[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`sampleExperiments: n must be an integer >= 0, got ${n}`);
  const out: SampleInfo[] = [];
  const seen = new Set<string>();
  for (let i = 0; out.length < n; i++) {
    const info = sampleExperimentInfo(generatorRng(seed, i), priors);
    if (seen.has(info.id)) continue;
    seen.add(info.id);
    out.push(info);
  }
  return out;
}

export function sampleExperiments(n: number, seed: number, priors: Priors = DEFAULT_PRIORS): ExperimentInput[] {
  return sampleExperimentInfos(n, seed, priors).map((s) => s.config);
}
