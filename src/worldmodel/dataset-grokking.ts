// Grokking probes in the standing dataset: small modular-arithmetic runs drawn
// across the phase diagram of Liu et al. (2022) and Omnigrok (2023): weight
// decay, train fraction, learning rate, init scale and width around the
// embeddings-plus-MLP toy of the grokking-mlp-liu preset, made small (p of
// 23-31, a few thousand full-batch steps) so one costs seconds instead of the
// preset's minutes. Some memorize and never generalize, some generalize at once,
// some grok (test accuracy arrives decades of steps after train accuracy). The
// universe's priors almost never land there, so without these the dataset held
// one or two grokking runs and the world model's grokking AUC measured nothing.
// Probes are independent samples (no sweep), drawn from their own generator
// stream per index, so a longer plan keeps a shorter one's probes. Names are
// `wm-<seed>-g<index>`.

import type { Rng } from "../engine/rng.js";
import type { ExperimentInput } from "../universe/config/experiment.js";
import { estimateCost, generatorRng } from "../universe/generate/index.js";
import { finish } from "../universe/generate/normalize.js";
import type { NewRun, RunRecord, Store } from "../store/store.js";
import { enqueueMissing, type NamedRunsSummary } from "./dataset-forks.js";

/** Probes per planned run of the dataset (0.05: 225 probes next to 4,500 runs). */
export const DEFAULT_GROKKING_FRACTION = 0.05;
/** Generator stream offset of the probes (distinct from the plan's blocks, forks and replicates). */
const GROKKING_STREAM_SEED = 0x67726f6b; // "grok"
/** Estimated seconds (estimateCost) a probe may take; longer draws get proportionally fewer steps. */
export const PROBE_MAX_SECONDS = 8;
/** ...but never fewer than this: generalization arrives after thousands of steps, if at all */
export const PROBE_MIN_STEPS = 1500;

const PRIMES = [23, 29, 31];
/** commutative operations only: the mean-pooled embeddings cannot tell [a, b] from [b, a] (a-b never fits) */
const OPS = ["add", "add", "mul"] as const;
const EMBEDDING_DIMS = [8, 16, 32];
const MLP_WIDTHS = [32, 64, 128];

export interface PlannedProbe {
  name: string;
  run: NewRun;
  estimatedSeconds: number;
}

const logUniform = (rng: Rng, lo: number, hi: number) => lo * Math.pow(hi / lo, rng.uniform());
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
const sig2 = (x: number) => Number(x.toPrecision(2));

/** One probe's document: the knobs of the grokking phase diagram drawn independently. */
export function probeExperiment(rng: Rng): ExperimentInput {
  return {
    task: {
      family: "modular-arithmetic", p: pick(rng, PRIMES), op: pick(rng, OPS),
      trainFraction: Math.round((0.25 + 0.55 * rng.uniform()) * 100) / 100, seed: rng.int(1000), testSize: 512,
    },
    model: {
      unit: "sequential",
      children: [
        { unit: "embedding", dim: pick(rng, EMBEDDING_DIMS), positional: false },
        { unit: "pooling", mode: "mean" },
        { unit: "mlp", width: pick(rng, MLP_WIDTHS), depth: 1, activation: "relu" },
        { unit: "activation", fn: "relu" },
        { unit: "readout" },
      ],
    },
    train: {
      optimizer: "adamw",
      lr: sig2(logUniform(rng, 2e-3, 1e-2)),
      // about one in six without decay: the memorizing corner of the phase diagram
      weightDecay: rng.uniform() < 0.15 ? 0 : sig2(logUniform(rng, 0.1, 3)),
      initScale: sig2(logUniform(rng, 0.5, 2)),
      batchSize: "full",
      steps: Math.round(logUniform(rng, 3000, 8000) / 100) * 100,
      seed: rng.int(1000),
      evalPoints: 60,
      evalExamples: 512,
    },
  } as ExperimentInput;
}

/** The probes of a dataset of `runs` runs: round(runs * fraction), each from its own stream. */
export function planGrokkingProbes(runs: number, seed: number, fraction = DEFAULT_GROKKING_FRACTION): PlannedProbe[] {
  const out: PlannedProbe[] = [];
  const count = Math.round(runs * fraction);
  for (let index = 0; index < count; index++) {
    const input = probeExperiment(generatorRng(seed ^ GROKKING_STREAM_SEED, index));
    let done = finish(input);
    if (!done) throw new Error(`internal: grokking probe ${index} of seed ${seed} is not a valid experiment`);
    // a probe over budget runs for fewer steps: total = steps x perStep + evaluation + data
    let cost = estimateCost(done.norm);
    if (cost.total > PROBE_MAX_SECONDS && done.norm.config.train.steps > PROBE_MIN_STEPS) {
      const affordable = Math.floor((PROBE_MAX_SECONDS - cost.evaluation - cost.data) / cost.perStep / 100) * 100;
      done = finish({ ...input, train: { ...(input.train as object), steps: Math.max(PROBE_MIN_STEPS, affordable) } })!;
      cost = estimateCost(done.norm);
    }
    const seconds = cost.total;
    const name = `wm-${seed}-g${index}`;
    out.push({
      name, estimatedSeconds: seconds,
      run: { configId: done.norm.id, config: { ...done.norm.config, name }, family: done.norm.config.task.family, name },
    });
  }
  return out;
}

export type ProbeEnqueueSummary = NamedRunsSummary;

/** Enqueues the planned probes the store does not hold yet (`stored`: the dataset's runs by runKey). */
export const enqueueGrokkingProbes: (store: Store, probes: readonly PlannedProbe[], stored: ReadonlyMap<string, RunRecord>) => Promise<ProbeEnqueueSummary> = enqueueMissing;
