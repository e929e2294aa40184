// Seed replicates in the standing dataset: a deterministic fraction of the
// independent samples, and of the one-at-a-time sweeps (every point of a chosen
// sweep), is trained a second time with other seeds (data and initialization),
// nothing else changed. Two runs of one config measure the noise a world model
// cannot predict: the evaluation reports how well one seed's final loss ranks
// the other's and how often one seed's sweep gives the other's intervention
// effects their sign (noise.ts), the ceilings for any predictor's rank
// correlation and sign accuracy. A sweep's replicates join its sweep (a sweep
// with two repeats), so the splits keep them with their originals and the sweep
// detectors see the spread across seeds. Replicates need nothing from their
// originals' results, so they are enqueued with the plan (a sweep replicate once
// its original is stored, for the sweep id). Names are `wm-<seed>-r<index>`.

import { applyInterventions } from "../universe/config/intervention.js";
import { validateExperiment } from "../universe/config/validate.js";
import { generatorRng } from "../universe/generate/index.js";
import type { NewRun, RunRecord, Store } from "../store/store.js";
import type { PlannedRun } from "./dataset-plan.js";
import { requeueCancelled, runKey, type NamedRunsSummary } from "./dataset-forks.js";

/** Fraction of the independent samples that get a seed replicate. */
export const DEFAULT_REPLICATE_FRACTION = 0.1;
/**
 * Fraction of the sweeps trained again whole. A random split's test side holds
 * about 280 sign pairs from a fifth of the sweeps; a quarter of them replicated
 * gives the sign-noise reference about as many pairs at ~8% more runs.
 */
export const DEFAULT_SWEEP_REPLICATE_FRACTION = 0.25;
/** Generator stream offsets of the replicate draws (distinct from the plan's blocks and the forks). */
const REPLICATE_STREAM_SEED = 0x72657073; // "reps"
const SWEEP_REPLICATE_STREAM_SEED = 0x73726570; // "srep"
/** The replicate's seeds: the original's plus this. */
const SEED_OFFSET = 1;

export interface PlannedReplicate {
  name: string;
  original: PlannedRun;
  /** a sweep replicate's run gets its original's sweep id when enqueued */
  run: NewRun;
}

/**
 * The replicates of a plan: deterministic per original (a sweep is drawn once, by
 * its first point), so a longer plan keeps those of a shorter one.
 */
export function planReplicates(plan: readonly PlannedRun[], seed: number, fraction = DEFAULT_REPLICATE_FRACTION, sweepFraction = DEFAULT_SWEEP_REPLICATE_FRACTION): PlannedReplicate[] {
  const out: PlannedReplicate[] = [];
  const sweepDrawn = new Map<string, boolean>();
  for (const p of plan) {
    let chosen: boolean;
    if (p.sweep) {
      if (!sweepDrawn.has(p.sweep.name)) sweepDrawn.set(p.sweep.name, generatorRng(seed ^ SWEEP_REPLICATE_STREAM_SEED, p.index).uniform() < sweepFraction);
      chosen = sweepDrawn.get(p.sweep.name)!;
    } else {
      chosen = generatorRng(seed ^ REPLICATE_STREAM_SEED, p.index).uniform() < fraction;
    }
    if (!chosen) continue;
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

/**
 * Enqueues the planned replicates the store does not hold yet, and requeues those
 * it holds cancelled (`stored`: the dataset's runs by runKey). A sweep replicate
 * whose original is not stored yet waits for a later call (it would have no sweep
 * to join).
 */
export async function enqueueReplicates(store: Store, replicates: readonly PlannedReplicate[], stored: ReadonlyMap<string, RunRecord>): Promise<ReplicateEnqueueSummary> {
  const summary: ReplicateEnqueueSummary = { planned: replicates.length, present: 0, requeued: 0, enqueued: 0 };
  const runs: NewRun[] = [];
  const present: RunRecord[] = [];
  for (const r of replicates) {
    const run = stored.get(runKey(r.name, r.run.configId));
    if (run) {
      present.push(run);
      continue;
    }
    if (!r.original.sweep) {
      runs.push(r.run);
      continue;
    }
    const sweepId = stored.get(runKey(r.original.name, r.original.configId))?.sweepId;
    if (sweepId) runs.push({ ...r.run, sweepId });
  }
  if (runs.length > 0) await store.enqueue(runs);
  summary.enqueued = runs.length;
  summary.present = present.length;
  summary.requeued = await requeueCancelled(store, present);
  return summary;
}
