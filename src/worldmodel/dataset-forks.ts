// Forks in the standing dataset: a deterministic fraction of the independent
// samples is forked at 30% of its steps with one intervention on the recipe
// (learning rate x0.1, x0.25 or x4, or weight decay 0.1), so the world model sees
// mid-run interventions with the parent's curve as the observed prefix. A fork
// needs its parent's result, so forks are enqueued after the parents have
// trained; the executor replays the parent up to the fork step (the dataset keeps
// no checkpoints). Names are `wm-<seed>-f<parent index>`.

import { applyInterventions, type Intervention } from "../universe/config/intervention.js";
import { validateExperiment } from "../universe/config/validate.js";
import { generatorRng } from "../universe/generate/index.js";
import type { NewRun, RunRecord, Store } from "../store/store.js";
import type { PlannedRun } from "./dataset-plan.js";

/** How the dataset finds its stored runs: by name and config id (a changed generator reuses names). */
export const runKey = (name: string, configId: string): string => `${name}@${configId}`;

export interface NamedRunsSummary {
  planned: number;
  /** already in the store (any status) */
  present: number;
  /** of those, cancelled ones put back in the queue */
  requeued: number;
  enqueued: number;
}

/**
 * Puts the cancelled ones among stored runs of the plan back in the queue, so a
 * resumed dataset ends whole (a person who cancelled runs to stop a build resumes
 * it by running the build again); returns how many.
 */
export async function requeueCancelled(store: Store, present: readonly RunRecord[]): Promise<number> {
  const cancelled = present.filter((r) => r.status === "cancelled").map((r) => r.id);
  return cancelled.length > 0 ? (await store.requeueRuns(cancelled)).length : 0;
}

/**
 * Enqueues the planned runs (seed replicates, grokking probes: runs that need no
 * other run's result) that the store does not hold yet, and requeues those it
 * holds cancelled; `stored` holds the dataset's stored runs by runKey.
 */
export async function enqueueMissing(store: Store, planned: readonly { name: string; run: NewRun }[], stored: ReadonlyMap<string, RunRecord>): Promise<NamedRunsSummary> {
  const present: RunRecord[] = [];
  const missing: NewRun[] = [];
  for (const p of planned) {
    const run = stored.get(runKey(p.name, p.run.configId));
    if (run) present.push(run);
    else missing.push(p.run);
  }
  if (missing.length > 0) await store.enqueue(missing);
  return { planned: planned.length, present: present.length, requeued: await requeueCancelled(store, present), enqueued: missing.length };
}

/**
 * Fraction of the independent samples that get a fork. At 0.08 the random
 * split's test side held ~40 forks (11-23 with an effect above the sign
 * threshold): too few to score fork effects. A larger fraction keeps every fork
 * of a smaller one (same draw per parent), so a stored dataset only gains forks.
 */
export const DEFAULT_FORK_FRACTION = 0.25;
/** Where in the parent's run the fork starts. */
export const FORK_AT = 0.3;
/** The interventions a fork applies (one, chosen per fork). */
export const FORK_INTERVENTIONS: readonly Intervention[][] = [
  [{ path: "train.lr", op: "mul", value: 0.1 }],
  [{ path: "train.lr", op: "mul", value: 0.25 }],
  [{ path: "train.lr", op: "mul", value: 4 }],
  [{ path: "train.weightDecay", op: "set", value: 0.1 }],
];
/** Generator stream offset of the fork draws (distinct from the plan's blocks). */
const FORK_STREAM_SEED = 0x666f726b; // "fork"

export interface PlannedFork {
  name: string;
  parent: PlannedRun;
  forkStep: number;
  interventions: Intervention[];
}

/** The forks of a plan: deterministic per parent, so a longer plan keeps the forks of a shorter one. */
export function planForks(plan: readonly PlannedRun[], seed: number, fraction = DEFAULT_FORK_FRACTION): PlannedFork[] {
  const out: PlannedFork[] = [];
  for (const p of plan) {
    if (p.sweep) continue;
    const rng = generatorRng(seed ^ FORK_STREAM_SEED, p.index);
    if (rng.uniform() >= fraction) continue;
    const forkStep = Math.round(FORK_AT * p.config.train.steps);
    if (forkStep < 1 || forkStep >= p.config.train.steps) continue;
    out.push({ name: `wm-${seed}-f${p.index}`, parent: p, forkStep, interventions: FORK_INTERVENTIONS[rng.int(FORK_INTERVENTIONS.length)]! });
  }
  return out;
}

export interface ForkEnqueueSummary {
  planned: number;
  present: number;
  /** of those, cancelled ones put back in the queue */
  requeued: number;
  enqueued: number;
  /** parents not completed (still queued, failed or diverged) or interventions that do not validate */
  skipped: number;
}

/**
 * Enqueues the planned forks whose parent completed and that the store does not
 * hold yet, and requeues those it holds cancelled. `stored` holds the dataset's
 * stored runs by runKey (name and config id).
 */
export async function enqueueForks(store: Store, forks: readonly PlannedFork[], stored: ReadonlyMap<string, RunRecord>): Promise<ForkEnqueueSummary> {
  const summary: ForkEnqueueSummary = { planned: forks.length, present: 0, requeued: 0, enqueued: 0, skipped: 0 };
  const runs: NewRun[] = [];
  const present: RunRecord[] = [];
  for (const f of forks) {
    const parent = stored.get(runKey(f.parent.name, f.parent.configId));
    const v = parent?.status === "completed" ? validateExperiment(applyInterventions(parent.config, f.interventions)) : null;
    if (!parent || !v?.ok) {
      summary.skipped++;
      continue;
    }
    const run = stored.get(runKey(f.name, v.id));
    if (run) {
      present.push(run);
      continue;
    }
    runs.push({
      configId: v.id, config: { ...v.config, name: f.name }, family: v.config.task.family, name: f.name,
      lineage: { parentRunId: parent.id, forkStep: f.forkStep, interventions: f.interventions },
    });
  }
  if (runs.length > 0) await store.enqueue(runs);
  summary.enqueued = runs.length;
  summary.present = present.length;
  summary.requeued = await requeueCancelled(store, present);
  return summary;
}
