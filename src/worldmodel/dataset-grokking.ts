// Grokking probes in the standing dataset: small runs in the grokking regime of
// each probe kind of the table in probes/ (modular arithmetic across the phase
// diagram of Liu et al. 2022, sparse parity from a finite training set), made
// small enough (a few thousand full-batch steps) to cost seconds. Probes are
// independent samples (no sweep), each drawn from its kind's generator stream
// per index, so a longer plan keeps a shorter one's probes and a new kind leaves
// the others' as they were. Names are `wm-<seed>-<tag><index>`.

import { estimateCost, generatorRng } from "../universe/generate/index.js";
import { finish } from "../universe/generate/normalize.js";
import type { NewRun, RunRecord, Store } from "../store/store.js";
import { enqueueMissing, type NamedRunsSummary } from "./dataset-forks.js";
import { PROBE_KINDS, probeKinds, type ProbeKind } from "./probes/index.js";

/** Probes of each kind per planned run (0.05: 225 of each next to 4,500 runs). */
export const DEFAULT_GROKKING_FRACTION = 0.05;
/** Estimated seconds (estimateCost) a probe may take; longer draws get proportionally fewer steps. */
export const PROBE_MAX_SECONDS = 8;
/** ...but never fewer than this: generalization arrives after thousands of steps, if at all */
export const PROBE_MIN_STEPS = 1500;

export interface PlannedProbe {
  name: string;
  kind: ProbeKind;
  run: NewRun;
  estimatedSeconds: number;
}

/** Probe `index` of one kind: its drawn experiment, cut to the cost budget. */
function planProbe(kind: ProbeKind, seed: number, index: number): PlannedProbe {
  const spec = PROBE_KINDS[kind];
  const input = spec.experiment(generatorRng(seed ^ spec.streamSeed, index));
  let done = finish(input);
  if (!done) throw new Error(`internal: ${kind} grokking probe ${index} of seed ${seed} is not a valid experiment`);
  // a probe over budget runs for fewer steps: total = steps x perStep + evaluation + data
  let cost = estimateCost(done.norm);
  if (cost.total > PROBE_MAX_SECONDS && done.norm.config.train.steps > PROBE_MIN_STEPS) {
    const affordable = Math.floor((PROBE_MAX_SECONDS - cost.evaluation - cost.data) / cost.perStep / 100) * 100;
    done = finish({ ...input, train: { ...(input.train as object), steps: Math.max(PROBE_MIN_STEPS, affordable) } })!;
    cost = estimateCost(done.norm);
  }
  const name = `wm-${seed}-${spec.tag}${index}`;
  return {
    name, kind, estimatedSeconds: cost.total,
    run: { configId: done.norm.id, config: { ...done.norm.config, name }, family: done.norm.config.task.family, name },
  };
}

/** The probes of a dataset of `runs` runs: round(runs * fraction) of each kind, kinds in table order. */
export function planGrokkingProbes(runs: number, seed: number, fraction = DEFAULT_GROKKING_FRACTION): PlannedProbe[] {
  const count = Math.round(runs * fraction);
  return probeKinds.flatMap((kind) => Array.from({ length: count }, (_, index) => planProbe(kind, seed, index)));
}

export type ProbeEnqueueSummary = NamedRunsSummary;

/** Enqueues the planned probes the store does not hold yet (`stored`: the dataset's runs by runKey). */
export const enqueueGrokkingProbes: (store: Store, probes: readonly PlannedProbe[], stored: ReadonlyMap<string, RunRecord>) => Promise<ProbeEnqueueSummary> = enqueueMissing;
