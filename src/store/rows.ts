// Rows <-> records: the runs table's snake_case columns and JSON text on one side,
// the Store interface's RunRecord on the other.

import type { Insertable, Selectable } from "kysely";
import { fromJson, toJson } from "./codec.js";
import type { RunsTable, SweepsTable } from "./schema.js";
import type { Intervention, NewRun, RunRecord, RunResult, RunStatus, SweepRecord } from "./store.js";

export const RUN_STATUSES: readonly RunStatus[] = ["queued", "running", "completed", "diverged", "failed", "cancelled"];

export type RunRow = Selectable<RunsTable>;

export function toRunRecord(r: RunRow): RunRecord {
  return {
    id: r.id,
    configId: r.config_id,
    config: fromJson(r.config),
    family: r.family,
    name: r.name,
    status: r.status,
    sweepId: r.sweep_id,
    lineage:
      r.parent_run_id === null
        ? null
        : {
            parentRunId: r.parent_run_id,
            forkStep: r.fork_step ?? 0,
            interventions: fromJson<Intervention[]>(r.interventions) ?? [],
          },
    priority: r.priority,
    worker: r.worker,
    attempts: r.attempts,
    error: r.error,
    divergedAt: r.diverged_at,
    paramCount: r.param_count,
    wallSeconds: r.wall_seconds,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    leaseUntil: r.lease_until,
  };
}

/** The row of a new run, queued unless a result says otherwise (import). */
export function newRunRow(id: string, run: NewRun, createdAt: number, result?: RunResult): Insertable<RunsTable> {
  const priority = run.priority ?? 0;
  if (!Number.isInteger(priority)) throw new Error(`store: priority must be an integer, got ${priority}`);
  return {
    id,
    config_id: run.configId,
    config: toJson(run.config),
    family: run.family,
    name: run.name ?? null,
    status: result ? result.status : "queued",
    sweep_id: run.sweepId ?? null,
    parent_run_id: run.lineage ? run.lineage.parentRunId : null,
    fork_step: run.lineage ? run.lineage.forkStep : null,
    interventions: run.lineage ? toJson(run.lineage.interventions) : null,
    priority,
    worker: null,
    attempts: 0,
    error: null,
    diverged_at: result ? result.divergedAt : null,
    param_count: result ? result.paramCount : null,
    wall_seconds: result ? result.wallSeconds : null,
    created_at: createdAt,
    started_at: null,
    finished_at: result ? createdAt : null,
    lease_until: null,
  };
}

export function toSweepRecord(r: Selectable<SweepsTable>): SweepRecord {
  return { id: r.id, name: r.name, spec: fromJson(r.spec), createdAt: r.created_at };
}
