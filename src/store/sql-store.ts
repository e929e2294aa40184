// The one implementation of Store: SQL through Kysely, for SQLite and PostgreSQL
// alike. The queue lives in queue.ts, curves in curves.ts, findings and
// annotations in findings.ts, world models and predictions in worldmodels.ts,
// deleting runs with what belongs to them in delete.ts; this class wires them in
// and holds the reads, checkpoints and sweeps.

import { sql, type SelectQueryBuilder } from "kysely";
import { newId, toBytes, toJson } from "./codec.js";
import { loadCurves } from "./curves.js";
import { deleteRuns } from "./delete.js";
import { writeTx, type Conn } from "./dialect.js";
import * as findings from "./findings.js";
import * as queue from "./queue.js";
import { RUN_STATUSES, toRunRecord, toSweepRecord } from "./rows.js";
import type { DB } from "./schema.js";
import type {
  AnnotationRecord, Checkpoint, DeletedRuns, FindingData, FindingFilter, FindingRecord, NewAnnotation, NewPrediction, NewRun,
  PredictionFilter, PredictionRecord, RunCurves, RunFilter, RunRecord, RunResult, RunStatus, Store, SweepRecord,
  WorldModelRecord,
} from "./store.js";
import * as worldmodels from "./worldmodels.js";

/** Curve chunks read at once on PostgreSQL (each on its own pooled connection). */
const PG_PARALLEL_READS = 4;

/** Adds the conditions of `f` (not its limit and offset); null when no run can match. */
function filtered<O>(q: SelectQueryBuilder<DB, "runs", O>, f: RunFilter): SelectQueryBuilder<DB, "runs", O> | null {
  if (f.status !== undefined) {
    const statuses = Array.isArray(f.status) ? f.status : [f.status];
    if (statuses.length === 0) return null;
    q = statuses.length === 1 ? q.where("status", "=", statuses[0]!) : q.where("status", "in", statuses);
  }
  if (f.family !== undefined) q = q.where("family", "=", f.family);
  if (f.sweepId !== undefined) q = q.where("sweep_id", "=", f.sweepId);
  if (f.configId !== undefined) q = q.where("config_id", "=", f.configId);
  if (f.parentRunId !== undefined) q = q.where("parent_run_id", "=", f.parentRunId);
  if (f.idPrefix !== undefined) {
    // ids are lower-case base32; '!' escapes LIKE's wildcards in what a person typed
    const pattern = f.idPrefix.toLowerCase().replace(/[!%_]/g, "!$&") + "%";
    q = q.where(sql<boolean>`id like ${pattern} escape '!'`);
  }
  return q;
}

export class SqlStore implements Store {
  readonly kind: "sqlite" | "postgres";
  private closed = false;

  constructor(private readonly c: Conn) {
    this.kind = c.kind;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.c.db.destroy();
  }

  // ---- queue (queue.ts) ----

  enqueue(runs: NewRun[]): Promise<string[]> {
    return queue.enqueue(this.c, runs);
  }
  claim(worker: string, limit: number, leaseMs: number): Promise<RunRecord[]> {
    return queue.claim(this.c, worker, limit, leaseMs);
  }
  heartbeat(worker: string, runIds: string[], leaseMs: number): Promise<string[]> {
    return queue.heartbeat(this.c, worker, runIds, leaseMs);
  }
  requeueStale(now: number, deadWorkers?: string[]): Promise<number> {
    return queue.requeueStale(this.c, now, deadWorkers);
  }
  runningWorkers(): Promise<string[]> {
    return queue.runningWorkers(this.c);
  }
  finish(runId: string, worker: string, result: RunResult): Promise<boolean> {
    return queue.finish(this.c, runId, worker, result);
  }
  fail(runId: string, worker: string, error: string): Promise<boolean> {
    return queue.fail(this.c, runId, worker, error);
  }
  insertFinished(run: NewRun, result: RunResult): Promise<string> {
    return queue.insertFinished(this.c, run, result);
  }
  cancelRuns(ids: string[]): Promise<string[]> {
    return queue.cancelRuns(this.c, ids);
  }
  requeueRuns(ids: string[]): Promise<string[]> {
    return queue.requeueRuns(this.c, ids);
  }
  deleteRuns(ids: string[], options?: { dryRun?: boolean }): Promise<DeletedRuns> {
    return deleteRuns(this.c, ids, options);
  }

  // ---- reads ----

  async getRun(id: string): Promise<RunRecord | null> {
    const row = await this.c.db.selectFrom("runs").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toRunRecord(row) : null;
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    let q = filtered(this.c.db.selectFrom("runs").selectAll(), filter);
    if (!q) return [];
    q = q.orderBy("created_at", "desc").orderBy("id", "desc");
    if (filter.limit !== undefined) q = q.limit(filter.limit);
    if (filter.offset !== undefined && filter.offset > 0) {
      // SQLite allows OFFSET only after a LIMIT; -1 means none
      if (filter.limit === undefined && this.kind === "sqlite") q = q.limit(-1);
      q = q.offset(filter.offset);
    }
    return (await q.execute()).map(toRunRecord);
  }

  async countRuns(filter: RunFilter = {}): Promise<Record<RunStatus, number>> {
    const counts = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
    const q = filtered(
      this.c.db.selectFrom("runs").select((eb) => ["status", eb.fn.countAll<number>().as("n")]).groupBy("status"),
      filter,
    );
    if (!q) return counts;
    for (const row of await q.execute()) counts[row.status] = Number(row.n);
    return counts;
  }

  getCurves(runIds: string[], metrics?: string[]): Promise<Map<string, RunCurves>> {
    return loadCurves(this.c.db, runIds, metrics, this.kind === "postgres" ? PG_PARALLEL_READS : 1);
  }

  // ---- checkpoints ----

  async putCheckpoint(cp: Checkpoint): Promise<void> {
    await writeTx(this.c, (trx) => queue.putCheckpoints(trx, cp.runId, [cp]));
  }

  async getCheckpoint(runId: string, step: number): Promise<Checkpoint | null> {
    const row = await this.c.db
      .selectFrom("checkpoints")
      .select(["run_id", "step", "data"])
      .where("run_id", "=", runId)
      .where("step", "=", step)
      .executeTakeFirst();
    return row ? { runId: row.run_id, step: row.step, data: toBytes(row.data) } : null;
  }

  async listCheckpointSteps(runId: string): Promise<number[]> {
    const rows = await this.c.db.selectFrom("checkpoints").select("step").where("run_id", "=", runId).orderBy("step").execute();
    return rows.map((r) => r.step);
  }

  // ---- sweeps ----

  async createSweep(name: string | null, spec: unknown): Promise<string> {
    const id = newId("s");
    await writeTx(this.c, (trx) =>
      trx.insertInto("sweeps").values({ id, name, spec: toJson(spec), created_at: Date.now() }).execute(),
    );
    return id;
  }

  async getSweep(id: string): Promise<SweepRecord | null> {
    const row = await this.c.db.selectFrom("sweeps").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toSweepRecord(row) : null;
  }

  // ---- findings and annotations (findings.ts) ----

  putFindings(list: FindingData[]): Promise<{ ids: string[]; inserted: number }> {
    return findings.putFindings(this.c, list);
  }
  listFindings(filter?: FindingFilter): Promise<FindingRecord[]> {
    return findings.listFindings(this.c, filter);
  }
  getFinding(id: string): Promise<FindingRecord | null> {
    return findings.getFinding(this.c, id);
  }
  addAnnotation(a: NewAnnotation): Promise<string> {
    return findings.addAnnotation(this.c, a);
  }
  listAnnotations(filter?: { findingIds?: string[] }): Promise<AnnotationRecord[]> {
    return findings.listAnnotations(this.c, filter);
  }

  // ---- world model (worldmodels.ts) ----

  putWorldModel(v: { id: string; params: Uint8Array; meta: unknown; evaluation: unknown | null }): Promise<void> {
    return worldmodels.putWorldModel(this.c, v);
  }
  setWorldModelEvaluation(id: string, evaluation: unknown): Promise<void> {
    return worldmodels.setWorldModelEvaluation(this.c, id, evaluation);
  }
  getWorldModel(id?: string): Promise<WorldModelRecord | null> {
    return worldmodels.getWorldModel(this.c, id);
  }
  listWorldModels(): Promise<Omit<WorldModelRecord, "params">[]> {
    return worldmodels.listWorldModels(this.c);
  }
  putPredictions(p: NewPrediction[]): Promise<string[]> {
    return worldmodels.putPredictions(this.c, p);
  }
  setPredictionOutcome(id: string, outcome: unknown): Promise<void> {
    return worldmodels.setPredictionOutcome(this.c, id, outcome);
  }
  listPredictions(filter?: PredictionFilter): Promise<PredictionRecord[]> {
    return worldmodels.listPredictions(this.c, filter);
  }
}
