// Deleting runs with everything stored for them, in one transaction: their curves
// and checkpoints, the findings that involve them (a sweep finding goes when any of
// its runs goes: its evidence is gone) with those findings' annotations and run rows,
// the predictions made for them, and the sweeps they leave without runs.
//
// Two refusals keep the store whole, checked inside the transaction so a concurrent
// claim or fork cannot slip between check and delete: a running run (its worker
// would store into a run that no longer exists; cancel it first), and a parent whose
// forks are not deleted with it (they would start from, or point at, nothing).
// PostgreSQL locks the runs' rows first, so a claimer (FOR UPDATE SKIP LOCKED)
// passes them by; SQLite holds the database's write lock throughout.
//
// A dry run makes the same checks and counts and deletes nothing.

import type { Kysely } from "kysely";
import { chunks, writeTx, type Conn } from "./dialect.js";
import type { DB } from "./schema.js";
import { DeleteRefused, type DeletedRuns } from "./store.js";

const ID_CHUNK = 500;

/** Sum of `count` over the chunks of `ids`. */
async function countIn(ids: string[], count: (part: string[]) => Promise<number>): Promise<number> {
  let n = 0;
  for (const part of chunks(ids, ID_CHUNK)) n += await count(part);
  return n;
}

const countOf = (row: { n: number | string | bigint } | undefined) => Number(row?.n ?? 0);

async function plan(c: Conn, trx: Kysely<DB>, unique: string[]): Promise<DeletedRuns> {
  const runs = new Map<string, { status: string; sweepId: string | null }>();
  for (const part of chunks(unique, ID_CHUNK)) {
    let q = trx.selectFrom("runs").select(["id", "status", "sweep_id"]).where("id", "in", part);
    if (c.kind === "postgres") q = q.forUpdate();
    for (const r of await q.execute()) runs.set(r.id, { status: r.status, sweepId: r.sweep_id });
  }
  const runIds = unique.filter((id) => runs.has(id));

  const running = runIds.filter((id) => runs.get(id)!.status === "running");
  const orphans: { parent: string; fork: string }[] = [];
  for (const part of chunks(runIds, ID_CHUNK)) {
    const forks = await trx.selectFrom("runs").select(["id", "parent_run_id"]).where("parent_run_id", "in", part).execute();
    for (const f of forks) if (!runs.has(f.id)) orphans.push({ parent: f.parent_run_id!, fork: f.id });
  }
  if (running.length > 0 || orphans.length > 0) throw new DeleteRefused(running, orphans);

  const curves = await countIn(runIds, async (part) =>
    countOf(await trx.selectFrom("curves").select((eb) => eb.fn.countAll().as("n")).where("run_id", "in", part).executeTakeFirst()));
  const checkpoints = await countIn(runIds, async (part) =>
    countOf(await trx.selectFrom("checkpoints").select((eb) => eb.fn.countAll().as("n")).where("run_id", "in", part).executeTakeFirst()));
  const predictions = await countIn(runIds, async (part) =>
    countOf(await trx.selectFrom("predictions").select((eb) => eb.fn.countAll().as("n")).where("run_id", "in", part).executeTakeFirst()));

  const findings = new Set<string>();
  for (const part of chunks(runIds, ID_CHUNK)) {
    const rows = await trx.selectFrom("finding_runs").select("finding_id").distinct().where("run_id", "in", part).execute();
    for (const r of rows) findings.add(r.finding_id);
  }
  const findingIds = [...findings].sort();
  const annotations = await countIn(findingIds, async (part) =>
    countOf(await trx.selectFrom("annotations").select((eb) => eb.fn.countAll().as("n")).where("finding_id", "in", part).executeTakeFirst()));

  // a sweep is left empty when every run it holds is among the deleted
  const deletedPerSweep = new Map<string, number>();
  for (const id of runIds) {
    const sweepId = runs.get(id)!.sweepId;
    if (sweepId !== null) deletedPerSweep.set(sweepId, (deletedPerSweep.get(sweepId) ?? 0) + 1);
  }
  const sweepIds: string[] = [];
  for (const [sweepId, deleted] of [...deletedPerSweep].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const held = countOf(await trx.selectFrom("runs").select((eb) => eb.fn.countAll().as("n")).where("sweep_id", "=", sweepId).executeTakeFirst());
    const stored = await trx.selectFrom("sweeps").select("id").where("id", "=", sweepId).executeTakeFirst();
    if (held === deleted && stored) sweepIds.push(sweepId);
  }
  return { runIds, curves, checkpoints, findingIds, annotations, predictions, sweepIds };
}

async function remove(trx: Kysely<DB>, p: DeletedRuns): Promise<void> {
  for (const part of chunks(p.findingIds, ID_CHUNK)) {
    await trx.deleteFrom("annotations").where("finding_id", "in", part).execute();
    await trx.deleteFrom("finding_runs").where("finding_id", "in", part).execute();
    await trx.deleteFrom("findings").where("id", "in", part).execute();
  }
  for (const part of chunks(p.runIds, ID_CHUNK)) {
    await trx.deleteFrom("predictions").where("run_id", "in", part).execute();
    await trx.deleteFrom("curves").where("run_id", "in", part).execute();
    await trx.deleteFrom("checkpoints").where("run_id", "in", part).execute();
    await trx.deleteFrom("runs").where("id", "in", part).execute();
  }
  for (const part of chunks(p.sweepIds, ID_CHUNK)) await trx.deleteFrom("sweeps").where("id", "in", part).execute();
}

export async function deleteRuns(c: Conn, ids: string[], options: { dryRun?: boolean } = {}): Promise<DeletedRuns> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return { runIds: [], curves: 0, checkpoints: 0, findingIds: [], annotations: 0, predictions: 0, sweepIds: [] };
  return writeTx(c, async (trx) => {
    const p = await plan(c, trx, unique);
    if (!options.dryRun) await remove(trx, p);
    return p;
  });
}
