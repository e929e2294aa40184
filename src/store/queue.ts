// The run queue: enqueue, claim with a lease, heartbeat, requeue of lapsed or
// orphaned runs, the compare-and-set endings (finish, fail) that only take
// effect while the run is still running and held by the caller, cancel, which
// ends queued and running runs so that no claim, finish, fail or heartbeat touches
// them again, and requeue, which puts cancelled and failed runs back in the queue.
// Every write is one transaction (dialect.ts: BEGIN IMMEDIATE on SQLite). claim is one
// UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING *, atomic across processes:
// SQLite runs it under the database's write lock; PostgreSQL locks the picked rows
// FOR UPDATE SKIP LOCKED, so concurrent claimers pass them by.

import type { Kysely } from "kysely";
import { newId, toBuffer } from "./codec.js";
import { curveRows, insertCurves } from "./curves.js";
import { chunks, writeTx, type Conn } from "./dialect.js";
import { newRunRow, toRunRecord, type RunRow } from "./rows.js";
import type { DB } from "./schema.js";
import type { NewRun, RunRecord, RunResult } from "./store.js";

const ID_CHUNK = 500;
/** Rows per multi-row INSERT of runs (22 parameters each). */
const INSERT_CHUNK = 500;

export async function enqueue(c: Conn, runs: NewRun[]): Promise<string[]> {
  if (runs.length === 0) return [];
  const now = Date.now();
  const rows = runs.map((run) => newRunRow(newId("r"), run, now));
  await writeTx(c, async (trx) => {
    for (const part of chunks(rows, INSERT_CHUNK)) await trx.insertInto("runs").values(part).execute();
  });
  return rows.map((r) => r.id);
}

/** Highest priority first, then oldest, then id: the order claim takes runs in. */
function queueOrder(a: RunRow, b: RunRow): number {
  return b.priority - a.priority || a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export async function claim(c: Conn, worker: string, limit: number, leaseMs: number): Promise<RunRecord[]> {
  if (!Number.isInteger(limit) || limit <= 0) return [];
  const rows = await writeTx(c, async (trx) => {
    const now = Date.now();
    let pick = trx
      .selectFrom("runs")
      .select("id")
      .where("status", "=", "queued")
      .orderBy("priority", "desc")
      .orderBy("created_at", "asc")
      .orderBy("id", "asc")
      .limit(limit);
    // PostgreSQL: lock the picked rows, passing by those another claimer holds.
    // SQLite: the transaction holds the database's write lock throughout.
    if (c.kind === "postgres") pick = pick.forUpdate().skipLocked();
    return trx
      .updateTable("runs")
      .set({ status: "running", worker, started_at: now, lease_until: now + Math.round(leaseMs), finished_at: null })
      .where("id", "in", pick)
      .returningAll()
      .execute();
  });
  // RETURNING gives no order
  return rows.sort(queueOrder).map(toRunRecord);
}

export async function heartbeat(c: Conn, worker: string, runIds: string[], leaseMs: number): Promise<string[]> {
  if (runIds.length === 0) return [];
  const held = new Set<string>();
  await writeTx(c, async (trx) => {
    const leaseUntil = Date.now() + Math.round(leaseMs);
    for (const part of chunks([...new Set(runIds)], ID_CHUNK)) {
      const rows = await trx
        .updateTable("runs")
        .set({ lease_until: leaseUntil })
        .where("id", "in", part)
        .where("status", "=", "running")
        .where("worker", "=", worker)
        .returning("id")
        .execute();
      for (const r of rows) held.add(r.id);
    }
  });
  return [...new Set(runIds)].filter((id) => held.has(id));
}

export async function cancelRuns(c: Conn, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const cancelled = new Set<string>();
  await writeTx(c, async (trx) => {
    const now = Date.now();
    for (const part of chunks(unique, ID_CHUNK)) {
      // the worker stays: it is the record of who held a run cancelled while running
      const rows = await trx
        .updateTable("runs")
        .set({ status: "cancelled", finished_at: now, lease_until: null })
        .where("id", "in", part)
        .where("status", "in", ["queued", "running"])
        .returning("id")
        .execute();
      for (const r of rows) cancelled.add(r.id);
    }
  });
  return unique.filter((id) => cancelled.has(id));
}

export async function requeueRuns(c: Conn, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const requeued = new Set<string>();
  await writeTx(c, async (trx) => {
    for (const part of chunks(unique, ID_CHUNK)) {
      // a run that had started counts one more attempt (as a lapsed lease does); the
      // worker stays as the record of who last held it, the error goes with the ending
      const back = (started: boolean) => {
        const q = trx
          .updateTable("runs")
          .set((eb) => ({ status: "queued", attempts: started ? eb("attempts", "+", 1) : eb.ref("attempts"), error: null, started_at: null, finished_at: null, lease_until: null }))
          .where("id", "in", part)
          .where("status", "in", ["cancelled", "failed"]);
        return (started ? q.where("started_at", "is not", null) : q.where("started_at", "is", null)).returning("id").execute();
      };
      for (const r of [...(await back(true)), ...(await back(false))]) requeued.add(r.id);
    }
  });
  return unique.filter((id) => requeued.has(id));
}

export async function requeueStale(c: Conn, now: number, deadWorkers: string[] = []): Promise<number> {
  const dead = [...new Set(deadWorkers)];
  return writeTx(c, async (trx) => {
    // the worker stays: it is the record of who last held the run
    const requeue = () =>
      trx
        .updateTable("runs")
        .set((eb) => ({ status: "queued", attempts: eb("attempts", "+", 1), lease_until: null }))
        .where("status", "=", "running");
    // integer milliseconds in the database: lease_until < now is lease_until < ceil(now)
    let count = Number((await requeue().where("lease_until", "<", Math.ceil(now)).executeTakeFirst()).numUpdatedRows);
    for (const part of chunks(dead, ID_CHUNK)) {
      count += Number((await requeue().where("worker", "in", part).executeTakeFirst()).numUpdatedRows);
    }
    return count;
  });
}

export async function runningWorkers(c: Conn): Promise<string[]> {
  const rows = await c.db
    .selectFrom("runs")
    .select("worker")
    .distinct()
    .where("status", "=", "running")
    .where("worker", "is not", null)
    .orderBy("worker")
    .execute();
  return rows.map((r) => r.worker!);
}

export async function finish(c: Conn, runId: string, worker: string, result: RunResult): Promise<boolean> {
  const curves = curveRows(runId, result.curves);
  return writeTx(c, async (trx) => {
    const updated = await trx
      .updateTable("runs")
      .set({
        status: result.status,
        diverged_at: result.divergedAt,
        wall_seconds: result.wallSeconds,
        param_count: result.paramCount,
        error: null,
        finished_at: Date.now(),
        lease_until: null,
      })
      .where("id", "=", runId)
      .where("status", "=", "running")
      .where("worker", "=", worker)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    await insertCurves(trx, curves);
    await putCheckpoints(trx, runId, result.checkpoints ?? []);
    return true;
  });
}

/** Inserts (or replaces) a run's checkpoints inside the caller's transaction. */
export async function putCheckpoints(trx: Kysely<DB>, runId: string, checkpoints: { step: number; data: Uint8Array }[]): Promise<void> {
  const now = Date.now();
  for (const cp of checkpoints) {
    await trx
      .insertInto("checkpoints")
      .values({ run_id: runId, step: cp.step, data: toBuffer(cp.data), created_at: now })
      .onConflict((oc) => oc.columns(["run_id", "step"]).doUpdateSet((eb) => ({
        data: eb.ref("excluded.data"),
        created_at: eb.ref("excluded.created_at"),
      })))
      .execute();
  }
}

export async function fail(c: Conn, runId: string, worker: string, error: string): Promise<boolean> {
  return writeTx(c, async (trx) => {
    const updated = await trx
      .updateTable("runs")
      .set({ status: "failed", error, finished_at: Date.now(), lease_until: null })
      .where("id", "=", runId)
      .where("status", "=", "running")
      .where("worker", "=", worker)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  });
}

export async function insertFinished(c: Conn, run: NewRun, result: RunResult): Promise<string> {
  const id = newId("r");
  const row = newRunRow(id, run, Date.now(), result), curves = curveRows(id, result.curves);
  await writeTx(c, async (trx) => {
    await trx.insertInto("runs").values(row).execute();
    await insertCurves(trx, curves);
    await putCheckpoints(trx, id, result.checkpoints ?? []);
  });
  return id;
}
