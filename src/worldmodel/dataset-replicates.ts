// Seed replicates in the standing dataset: a deterministic fraction of the
// independent samples is trained a second time with other seeds (data and
// initialization), nothing else changed. Two runs of one config measure the
// noise a world model cannot predict: the evaluation reports how well one seed's
// final loss ranks the other's (noise.ts), the ceiling for any predictor's rank
// correlation. Replicates need nothing from their originals, so they are enqueued
// with the plan. Names are `wm-<seed>-r<index>`.

import { applyInterventions } from "../universe/config/intervention.js";
import { validateExperiment } from "../universe/config/validate.js";
import { generatorRng } from "../universe/generate/index.js";
import type { NewRun, RunRecord, Store } from "../store/store.js";
import type { PlannedRun } from "./dataset-plan.js";
import { enqueueMissing, type NamedRunsSummary } from "./dataset-forks.js";

/** Fraction of the independent samples that get a seed replicate. */
export const DEFAULT_REPLICATE_FRACTION = 0.1;
/** Generator stream offset of the replicate draws (distinct from the plan's blocks and the forks). */
const REPLICATE_STREAM_SEED = 0x72657073; // "reps"
/** The replicate's seeds: the original's plus this. */
const SEED_OFFSET = 1;

export interface PlannedReplicate {
  name: string;
  original: PlannedRun;
  run: NewRun;
}

/** The replicates of a plan: deterministic per original, so a longer plan keeps those of a shorter one. */
export function planReplicates(plan: readonly PlannedRun[], seed: number, fraction = DEFAULT_REPLICATE_FRACTION): PlannedReplicate[] {
  const out: PlannedReplicate[] = [];
  for (const p of plan) {
    if (p.sweep) continue;
    if (generatorRng(seed ^ REPLICATE_STREAM_SEED, p.index).uniform() >= fraction) continue;
    const v = validateExperiment(applyInterventions(p.config, [
      { path: "task.seed", op: "set", value: p.config.task.seed + SEED_OFFSET },
      { path: "train.seed", op: "set", value: p.config.train.seed + SEED_OFFSET },
    ]));
    if (!v.ok) continue;
    const name = `wm-${seed}-r${p.index}`;
    out.push({ name, original: p, run: { configId: v.id, config: { ...v.config, name }, family: v.config.task.family, name } });
  }
  return out;
}

export type ReplicateEnqueueSummary = NamedRunsSummary;

/** Enqueues the planned replicates the store does not hold yet (`stored`: the dataset's runs by runKey). */
export const enqueueReplicates: (store: Store, replicates: readonly PlannedReplicate[], stored: ReadonlyMap<string, RunRecord>) => Promise<ReplicateEnqueueSummary> = enqueueMissing;
