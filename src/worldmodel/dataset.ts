// Builds the world model's standing dataset in a store: enqueues the runs of the
// plan (dataset-plan.ts) that the store does not hold yet, registering each OAT
// sweep with store.createSweep so its runs carry the sweep id, then works the
// queue on the worker pool. Resumable: runs are recognized by their names
// (`wm-<seed>-<index>`), so a second call enqueues nothing already stored and
// only trains what is still queued (or was interrupted); runs of the plan that
// were cancelled go back in the queue (cancelling is a way to pause a build).
// Seed replicates of some samples and of some whole sweeps
// (dataset-replicates.ts) go in with the plan; then the forks of the plan
// (dataset-forks.ts) whose parents completed are enqueued and trained. A stored
// run counts only if its config is the planned one (a changed generator plans new configs under
// the same names; the old runs stay in the store as data). Grokking probes
// (dataset-grokking.ts) go in with the plan too, a small share of extra runs.

import type { WorkerPool } from "../engine/pool.js";
import { processQueue, type ExecutorSummary } from "../runner/executor.js";
import type { NewRun, RunRecord, Store } from "../store/store.js";
import { DEFAULT_DATASET_BUDGET, planDataset, type DatasetBudget, type PlannedRun } from "./dataset-plan.js";
import { DEFAULT_FORK_FRACTION, enqueueForks, planForks, requeueCancelled, runKey, type ForkEnqueueSummary } from "./dataset-forks.js";
import { DEFAULT_GROKKING_FRACTION, enqueueGrokkingProbes, planGrokkingProbes, type ProbeEnqueueSummary } from "./dataset-grokking.js";
import { DEFAULT_REPLICATE_FRACTION, DEFAULT_SWEEP_REPLICATE_FRACTION, enqueueReplicates, planReplicates, type ReplicateEnqueueSummary } from "./dataset-replicates.js";

export interface DatasetOptions {
  runs: number;
  seed: number;
  budget?: DatasetBudget;
  /** fraction of the independent samples that also get a fork (default DEFAULT_FORK_FRACTION) */
  forkFraction?: number;
  /** fraction of the independent samples trained again with other seeds (default DEFAULT_REPLICATE_FRACTION) */
  replicateFraction?: number;
  /** fraction of the sweeps trained again whole with other seeds (default DEFAULT_SWEEP_REPLICATE_FRACTION) */
  sweepReplicateFraction?: number;
  /** grokking probes of each kind per planned run (default DEFAULT_GROKKING_FRACTION) */
  grokkingFraction?: number;
}

export interface EnqueueSummary {
  planned: number;
  /** runs of the plan already in the store (any status) */
  present: number;
  /** of those, still queued or running (trained by this call) */
  pending: number;
  /** of those, cancelled ones put back in the queue (trained by this call) */
  requeued: number;
  enqueued: number;
  /** sweeps registered by this call */
  sweepsCreated: number;
  /** runs of the plan in sweeps */
  inSweeps: number;
  /** estimated seconds of the runs enqueued by this call (one core) */
  estimatedSeconds: number;
}

/** The runs of the store that belong to the dataset of `seed`, keyed by runKey (name and config id). */
export async function datasetRuns(store: Store, seed: number): Promise<Map<string, RunRecord>> {
  const prefix = `wm-${seed}-`;
  const out = new Map<string, RunRecord>();
  for (const run of await store.listRuns()) {
    if (run.name !== null && run.name.startsWith(prefix)) out.set(runKey(run.name, run.configId), run);
  }
  return out;
}

function newRunOf(p: PlannedRun, sweepId: string | null): NewRun {
  return { configId: p.configId, config: { ...p.config, name: p.name }, family: p.family, name: p.name, sweepId };
}

/** Enqueues the runs of the plan that are not stored yet; a sweep's missing runs go in with its (existing or new) id. */
export async function enqueueDataset(store: Store, opts: DatasetOptions, plan = planDataset(opts.runs, opts.seed, opts.budget ?? DEFAULT_DATASET_BUDGET)): Promise<EnqueueSummary> {
  const stored = await datasetRuns(store, opts.seed);
  const summary: EnqueueSummary = {
    planned: plan.length, present: 0, pending: 0, requeued: 0, enqueued: 0, sweepsCreated: 0,
    inSweeps: plan.filter((p) => p.sweep !== null).length, estimatedSeconds: 0,
  };
  // in plan order (so a partly trained dataset is a prefix of the plan); a sweep
  // reuses the id its stored runs carry, or is registered when first needed
  const sweepIds = new Map<string, string>();
  for (const p of plan) {
    const run = stored.get(runKey(p.name, p.configId));
    if (p.sweep && run?.sweepId) sweepIds.set(p.sweep.name, run.sweepId);
  }
  let batch: NewRun[] = [];
  const present: RunRecord[] = [];
  const flush = async () => {
    if (batch.length > 0) await store.enqueue(batch);
    batch = [];
  };
  for (const p of plan) {
    const run = stored.get(runKey(p.name, p.configId));
    if (run) {
      present.push(run);
      if (run.status === "queued" || run.status === "running") summary.pending++;
      continue;
    }
    let sweepId: string | null = null;
    if (p.sweep) {
      sweepId = sweepIds.get(p.sweep.name) ?? null;
      if (!sweepId) {
        sweepId = await store.createSweep(p.sweep.name, { dataset: `wm-${opts.seed}`, ...p.sweep });
        sweepIds.set(p.sweep.name, sweepId);
        summary.sweepsCreated++;
      }
    }
    batch.push(newRunOf(p, sweepId));
    summary.enqueued++;
    summary.estimatedSeconds += p.estimatedSeconds;
    if (batch.length >= 500) await flush();
  }
  await flush();
  summary.present = present.length;
  summary.requeued = await requeueCancelled(store, present);
  return summary;
}

export interface DatasetSummary extends EnqueueSummary, ExecutorSummary {
  forks: ForkEnqueueSummary;
  replicates: ReplicateEnqueueSummary;
  probes: ProbeEnqueueSummary;
  seconds: number;
}

/**
 * Enqueues what is missing and trains everything queued in the store (the
 * dataset's runs and any other queued run), then enqueues and trains the forks
 * of the parents that completed; calls onRunFinished per run.
 */
export async function generateDataset(
  store: Store,
  pool: WorkerPool,
  opts: DatasetOptions & {
    onEnqueued?(s: EnqueueSummary, replicates: ReplicateEnqueueSummary, probes: ProbeEnqueueSummary): void;
    onForksEnqueued?(s: ForkEnqueueSummary): void;
    onRunFinished?(run: RunRecord, status: string): void;
  },
): Promise<DatasetSummary> {
  const plan = planDataset(opts.runs, opts.seed, opts.budget ?? DEFAULT_DATASET_BUDGET);
  const enq = await enqueueDataset(store, opts, plan);
  // replicates and probes need nothing from other runs: one listing of the stored ones serves both
  const stored = await datasetRuns(store, opts.seed);
  const replicates = await enqueueReplicates(store, planReplicates(plan, opts.seed, opts.replicateFraction ?? DEFAULT_REPLICATE_FRACTION, opts.sweepReplicateFraction ?? DEFAULT_SWEEP_REPLICATE_FRACTION), stored);
  const probes = await enqueueGrokkingProbes(store, planGrokkingProbes(opts.runs, opts.seed, opts.grokkingFraction ?? DEFAULT_GROKKING_FRACTION), stored);
  opts.onEnqueued?.(enq, replicates, probes);
  const start = performance.now();
  const onRunFinished = (run: RunRecord, outcome: { status: string }) => opts.onRunFinished?.(run, outcome.status);
  const done = await processQueue({ store, pool, onRunFinished });
  const forks = await enqueueForks(store, planForks(plan, opts.seed, opts.forkFraction ?? DEFAULT_FORK_FRACTION), await datasetRuns(store, opts.seed));
  opts.onForksEnqueued?.(forks);
  const forked = await processQueue({ store, pool, onRunFinished });
  return {
    ...enq, forks, replicates, probes, seconds: (performance.now() - start) / 1000,
    completed: done.completed + forked.completed, diverged: done.diverged + forked.diverged, failed: done.failed + forked.failed,
    cancelled: done.cancelled + forked.cancelled,
  };
}
