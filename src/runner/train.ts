// Trains a population of experiments (same shapes, per-member seeds and
// hyperparameters; see group.ts) and records each member's training dynamics at
// log-spaced steps. A member that diverges (non-finite loss, or a loss above 100x
// its first loss) is frozen and ends as `diverged` at that step; the others go on
// untouched.

import { backward, optimizers, type Engine, type Optimizer, type Schedule, type Tensor } from "../engine/index.js";
import type { Experiment } from "../universe/config/experiment.js";
import { familyParams, taskSpecOf } from "../universe/config/validate.js";
import { buildModel, type Model } from "../universe/model.js";
import { tasks, type TaskName } from "../universe/tasks/index.js";
import type { TaskInstance, TaskSpec } from "../universe/tasks/family.js";
import { instancesBySeed, stackMembers } from "./data.js";
import { evaluate, makeEvalSets, type EvalSets } from "./evaluate.js";
import { evalSteps } from "./schedule.js";
import { populationKey } from "./group.js";
import { MemberRecorder, type MemberResult } from "./record.js";
import { captureMember, encodeState, restoreMember, type MemberState } from "./checkpoint.js";
import { SharpnessTracker, effectiveRanks, parameterNorms } from "./extra-metrics.js";

/** A loss this many times the first one counts as divergence. */
export const DIVERGENCE_FACTOR = 100;

export interface TrainHooks {
  /** called after every evaluation with the step and the number of steps in all */
  onEval?(step: number, totalSteps: number): void;
  /** called at each step of a member's log.checkpoints with its encoded state */
  onCheckpoint?(member: number, step: number, state: Uint8Array): void;
  /** start from these member states (all at one step) instead of from initialization: a fork */
  resume?: MemberState[];
  /** stop after this step's evaluation and checkpoints (to replay a run up to a fork point) */
  stopAt?: number;
}

function engineSchedule(config: Experiment): Schedule {
  const s = config.train.schedule;
  if (s.kind === "cosine") return { kind: "cosine", totalSteps: config.train.steps, warmupSteps: s.warmupSteps, minFactor: s.minFactor };
  return s;
}

function makeOptimizer(model: Model, configs: Experiment[]): Optimizer {
  const t0 = configs[0]!.train;
  const per = <K extends keyof Experiment["train"]>(k: K) => configs.map((c) => c.train[k] as number);
  const params = model.params.map((p) => p.tensor);
  const common = {
    members: configs.length,
    lr: per("lr"),
    weightDecay: per("weightDecay"),
    schedule: engineSchedule(configs[0]!),
    clipNorm: t0.clipNorm ?? undefined,
  };
  if (t0.optimizer === "sgd") return optimizers.sgd(params, { ...common, momentum: per("momentum"), nesterov: t0.nesterov });
  return optimizers[t0.optimizer](params, { ...common, beta1: per("beta1"), beta2: per("beta2"), eps: t0.eps });
}

/** The training batch of every member at one step. */
function stepBatch(instances: TaskInstance[], step: number, size: number | "full", spec: TaskSpec, engine: Engine) {
  // A batch never exceeds a fixed train set: a larger one would repeat examples within the batch.
  const perMember = instances.map((inst) => (size === "full" ? inst.train! : inst.batch(step, inst.train ? Math.min(size, inst.train.n) : size)));
  return stackMembers(engine, perMember, spec);
}

export function trainPopulation(engine: Engine, configs: Experiment[], hooks: TrainHooks = {}): MemberResult[] {
  if (configs.length === 0) return [];
  const key = populationKey(configs[0]!);
  for (const c of configs) {
    if (populationKey(c) !== key) throw new Error("trainPopulation: experiments differ in more than seeds and per-member hyperparameters");
  }
  const first = configs[0]!;
  const P = configs.length;
  const spec = taskSpecOf(first.task);
  const family = tasks[first.task.family as TaskName];
  const params = familyParams(first.task);
  const sizes = { trainSize: first.task.trainSize, testSize: first.task.testSize };
  const instances = instancesBySeed(configs.map((c) => c.task.seed), (seed) => family.build(params as never, seed, sizes));
  const model = buildModel(engine, first.model, spec, {
    members: P,
    initSeeds: configs.map((c) => c.train.seed),
    initScales: configs.map((c) => c.train.initScale),
  });
  const opt = makeOptimizer(model, configs);
  const kind = first.train.optimizer;
  let startStep = 0;
  if (hooks.resume) {
    if (hooks.resume.length !== P) throw new Error(`trainPopulation: ${hooks.resume.length} resume states for ${P} members`);
    startStep = hooks.resume[0]!.step;
    if (hooks.resume.some((r) => r.step !== startStep)) throw new Error("trainPopulation: resume states must share one step");
    hooks.resume.forEach((state, m) => restoreMember(model, opt, kind, m, state));
    opt.stepCount = startStep;
  }
  const checkpointsAt = configs.map((c) => new Set(c.log.checkpoints));
  const steps = first.train.steps;
  const evalAt = new Set(evalSteps(steps, first.train.evalPoints));
  const batchSize = first.train.batchSize === "full" ? "full" : first.train.batchSize;
  if (batchSize === "full" && instances.some((i) => i.train === null)) throw new Error('train.batchSize "full" needs a fixed train set');
  const evalSets: EvalSets = makeEvalSets(engine, instances, spec, first.train.evalExamples);
  const recorders = configs.map(() => new MemberRecorder());
  const dropoutSeeds = configs.map((c) => c.train.seed);
  // the divergence reference per member: its first training loss, carried over from the state of a resumed run
  const firstLoss = Float64Array.from({ length: P }, (_, m) => hooks.resume?.[m]?.firstLoss ?? NaN);
  // Full-batch training sees the same tensors every step: build them once.
  const fullBatch = batchSize === "full" ? engine.noGrad(() => keepBoth(engine, stepBatch(instances, 0, "full", spec, engine))) : null;
  const wanted = {
    sharpness: configs.some((c) => c.log.sharpness),
    layerNorms: configs.some((c) => c.log.layerNorms),
    effectiveRank: configs.some((c) => c.log.effectiveRank),
  };
  const sharpness = new SharpnessTracker();
  const start = performance.now();
  try {
    for (let step = startStep; step <= steps; step++) {
      const evaluating = evalAt.has(step) || step === startStep;
      if (hooks.onCheckpoint) {
        checkpointsAt.forEach((at, m) => {
          if (at.has(step) && !opt.frozen[m]) hooks.onCheckpoint!(m, step, encodeState(captureMember(model, opt, kind, m, step, firstLoss[m])));
        });
      }
      if (evaluating) {
        const metrics = evaluate(engine, model, evalSets);
        recorders.forEach((r, m) => {
          if (!opt.frozen[m]) r.record(step, metrics[m]!, opt.currentLr(m), (performance.now() - start) / 1000);
        });
        for (const [name, values] of extraMetrics(engine, model, evalSets, wanted, sharpness)) {
          recorders.forEach((r, m) => r.recordExtra(step, name, values[m]!));
        }
        hooks.onEval?.(step, steps);
      }
      if (step === steps || step === hooks.stopAt || opt.frozen.every((f) => f === 1)) break;
      engine.scope(() => {
        opt.zeroGrad();
        const batch = fullBatch ?? stepBatch(instances, step, batchSize, spec, engine);
        const pred = model.forward(batch.x, { training: true, step, dropoutSeeds });
        const loss = model.loss(pred, batch.y);
        const values = loss.toFloat32();
        for (let m = 0; m < P; m++) {
          if (opt.frozen[m]) continue;
          const v = values[m]!;
          if (Number.isNaN(firstLoss[m]!)) firstLoss[m] = v;
          if (!Number.isFinite(v) || v > DIVERGENCE_FACTOR * Math.max(firstLoss[m]!, 1e-8)) {
            opt.freeze(m);
            recorders[m]!.diverge(step);
          }
        }
        backward(loss);
        const before = evaluating ? snapshot(model) : null;
        const report = opt.step();
        for (const m of report.newlyFrozen) recorders[m]!.diverge(step);
        if (evaluating) {
          const ratios = updateRatios(model, before!);
          recorders.forEach((r, m) => {
            if (!opt.frozen[m]) r.recordUpdate(step, report.gradNorm[m]!, ratios[m]!);
          });
        }
      });
    }
  } finally {
    opt.dispose();
    model.dispose();
    evalSets.dispose();
    if (fullBatch) {
      fullBatch.x.dispose();
      fullBatch.y.dispose();
    }
  }
  return recorders.map((r) => r.finish(steps));
}

/** The optional metrics asked for by the population's log sections: name -> per-member values. */
function extraMetrics(
  engine: Engine, model: Model, sets: EvalSets,
  wanted: { sharpness: boolean; layerNorms: boolean; effectiveRank: boolean }, sharpness: SharpnessTracker,
): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  if (wanted.sharpness) out.set("sharpness", sharpness.measure(engine, model, sets.train));
  if (wanted.layerNorms) for (const [name, v] of parameterNorms(engine, model)) out.set(`norm:${name}`, v);
  if (wanted.effectiveRank) for (const [name, v] of effectiveRanks(model)) out.set(`erank:${name}`, v);
  return out;
}

function keepBoth(engine: Engine, b: { x: Tensor; y: Tensor }): { x: Tensor; y: Tensor } {
  return { x: engine.keep(b.x), y: engine.keep(b.y) };
}

/** Copies of every parameter, to measure the size of the next update. */
function snapshot(model: Model): Float32Array[] {
  return model.params.map((p) => p.tensor.toFloat32());
}

/** Per member, ||theta_after - theta_before|| / ||theta_before||. */
function updateRatios(model: Model, before: Float32Array[]): Float64Array {
  const P = model.members;
  const diff = new Float64Array(P), norm = new Float64Array(P);
  model.params.forEach((p, i) => {
    const now = p.tensor.toFloat32();
    const old = before[i]!;
    const per = now.length / P;
    for (let k = 0; k < now.length; k++) {
      const m = Math.floor(k / per);
      const d = now[k]! - old[k]!;
      diff[m] = diff[m]! + d * d;
      norm[m] = norm[m]! + old[k]! * old[k]!;
    }
  });
  return diff.map((d, m) => (norm[m]! > 0 ? Math.sqrt(d / norm[m]!) : NaN));
}
