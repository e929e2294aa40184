// The queue executor: claims queued runs from the store, groups them into engine
// populations, trains the groups on the worker pool, and stores each result exactly
// once. Crash safety comes from the store's leases: a run is `running` only while
// this process heartbeats it; if the process dies, its runs go back to the queue
// (at once on restart on the same host, or when the lease lapses elsewhere), and a
// result is only written by the worker that still holds the run.
//
// A run cancelled while it trains stops being held at once (the store marks it
// cancelled). The heartbeat learns which runs it no longer holds; their results,
// curves and checkpoints are dropped when the job ends (a population trains its
// members together, so the job runs on while any member is still held). The
// store's compare-and-set would refuse them anyway: this only keeps the worker
// from trying. A job none of whose runs is still held is aborted: its worker
// thread is replaced and the core goes to the next claim.

import { hostname } from "node:os";
import type { WorkerPool } from "../engine/pool.js";
import type { Experiment } from "../universe/config/experiment.js";
import type { RunCurves, RunRecord, Store } from "../store/store.js";
import { withDivergenceReference } from "./checkpoint.js";
import { groupIntoPopulations, populationKey } from "./group.js";
import type { GroupJob, GroupJobResult } from "./job.js";
import type { MemberResult } from "./record.js";

const JOB_MODULE = new URL("./job.js", import.meta.url).href;

export interface ExecutorOptions {
  store: Store;
  pool: WorkerPool;
  /** this process's worker id; default "host:pid" */
  worker?: string;
  /** lease of a claimed run, renewed every third of it */
  leaseMs?: number;
  /** largest population trained in one job */
  maxMembers?: number;
  /** return once the queue is empty (default), or keep polling */
  untilEmpty?: boolean;
  pollMs?: number;
  onRunFinished?(run: RunRecord, outcome: { status: string; error?: string }): void;
  signal?: AbortSignal;
}

export interface ExecutorSummary {
  completed: number;
  diverged: number;
  failed: number;
  /** runs this worker was training when they were cancelled (their results were dropped) */
  cancelled: number;
}

export function localWorkerId(): string {
  return `${hostname()}:${process.pid}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Requeues runs of dead processes on this host and runs whose lease lapsed. */
export async function recoverInterrupted(store: Store): Promise<number> {
  const host = hostname();
  const dead = (await store.runningWorkers()).filter((w) => {
    const [h, pid] = w.split(":");
    return h === host && pid !== undefined && Number(pid) !== process.pid && !isAlive(Number(pid));
  });
  return store.requeueStale(Date.now(), dead);
}

export function toRunCurves(r: MemberResult): RunCurves {
  const steps = Int32Array.from(r.curves.step);
  const out: RunCurves = {};
  for (const [metric, values] of Object.entries(r.curves)) {
    if (metric === "step") continue;
    out[metric] = { steps, values: Float64Array.from(values as number[]) };
  }
  return out;
}

/** Group key: runs must share shapes and, for forks, the step they start from. */
function groupKeyOf(run: RunRecord): string {
  return `${populationKey(run.config as Experiment)}@${run.lineage?.forkStep ?? 0}`;
}

export async function processQueue(opts: ExecutorOptions): Promise<ExecutorSummary> {
  const { store, pool } = opts;
  const worker = opts.worker ?? localWorkerId();
  const leaseMs = opts.leaseMs ?? 60_000;
  const maxMembers = opts.maxMembers ?? 32;
  const summary: ExecutorSummary = { completed: 0, diverged: 0, failed: 0, cancelled: 0 };
  const inFlight = new Map<Promise<void>, { runs: RunRecord[]; abort: AbortController }>();
  /** runs in flight that the last heartbeat found no longer held by this worker */
  const lost = new Set<string>();
  await recoverInterrupted(store);

  const heartbeat = setInterval(() => {
    const jobs = [...inFlight.values()];
    const ids = jobs.flatMap((j) => j.runs.map((r) => r.id));
    if (ids.length === 0) return;
    store.heartbeat(worker, ids, leaseMs).then((held) => {
      const still = new Set(held);
      for (const id of ids) if (!still.has(id)) lost.add(id);
      for (const j of jobs) if (j.runs.every((r) => lost.has(r.id))) j.abort.abort();
    }, () => undefined);
  }, Math.max(100, leaseMs / 3));

  /** A run whose result was not stored: counted and reported if it was cancelled. */
  const dropped = async (run: RunRecord) => {
    if ((await store.getRun(run.id))?.status !== "cancelled") return; // the lease lapsed and another worker owns the run now
    summary.cancelled++;
    opts.onRunFinished?.(run, { status: "cancelled" });
  };

  const settle = async (runs: RunRecord[], job: Promise<GroupJobResult>, aborted: AbortSignal) => {
    try {
      const { results, checkpoints } = await job;
      for (const [m, run] of runs.entries()) {
        const r = results[m]!;
        const ok = !lost.has(run.id) && await store.finish(run.id, worker, {
          status: r.status,
          divergedAt: r.divergedAt,
          wallSeconds: r.curves.wall_time.at(-1) ?? 0,
          paramCount: run.paramCount,
          curves: toRunCurves(r),
          checkpoints: checkpoints.filter((c) => c.member === m).map((c) => ({ step: c.step, data: c.data })),
        });
        if (!ok) {
          await dropped(run);
          continue;
        }
        summary[r.status]++;
        opts.onRunFinished?.(run, { status: r.status });
      }
    } catch (e) {
      if (aborted.aborted) {
        // no run of the job is held any more: nothing to fail
        for (const run of runs) await dropped(run);
        return;
      }
      const message = e instanceof Error ? e.message : String(e);
      for (const run of runs) {
        if (await store.fail(run.id, worker, message)) {
          summary.failed++;
          opts.onRunFinished?.(run, { status: "failed", error: message });
        } else {
          await dropped(run);
        }
      }
    } finally {
      for (const run of runs) lost.delete(run.id);
    }
  };

  const resumeStates = async (runs: RunRecord[]): Promise<Uint8Array[] | null> => {
    if (!runs[0]!.lineage) return null;
    return Promise.all(runs.map(async (run) => {
      const { parentRunId, forkStep } = run.lineage!;
      const saved = await store.getCheckpoint(parentRunId, forkStep);
      if (saved) {
        return withDivergenceReference(saved.data, async () => (await store.getCurves([parentRunId], ["train_loss"])).get(parentRunId)?.train_loss?.values);
      }
      const parent = await store.getRun(parentRunId);
      if (!parent) throw new Error(`fork: parent run ${parentRunId} is not in the store`);
      const data = await pool.run<Uint8Array>(JOB_MODULE, "replayTo", { config: parent.config, step: forkStep });
      await store.putCheckpoint({ runId: parentRunId, step: forkStep, data });
      return data;
    }));
  };

  const dispatch = (runs: RunRecord[]) => {
    const abort = new AbortController();
    const job = (async () => {
      const resume = await resumeStates(runs);
      const args: GroupJob = { configs: runs.map((r) => r.config as Experiment), resume };
      return pool.run<GroupJobResult>(JOB_MODULE, "trainGroup", args, { signal: abort.signal });
    })();
    const done: Promise<void> = settle(runs, job, abort.signal).finally(() => inFlight.delete(done));
    inFlight.set(done, { runs, abort });
  };

  try {
    while (!opts.signal?.aborted) {
      if (inFlight.size < pool.threads) {
        const claimed = await store.claim(worker, maxMembers, leaseMs);
        if (claimed.length > 0) {
          for (const g of groupIntoPopulations(claimed, groupKeyOf, maxMembers)) dispatch(g.items);
          continue;
        }
      }
      if (inFlight.size > 0) {
        await Promise.race(inFlight.keys());
        continue;
      }
      if (opts.untilEmpty ?? true) break;
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
    }
    await Promise.all(inFlight.keys());
  } finally {
    clearInterval(heartbeat);
  }
  return summary;
}
