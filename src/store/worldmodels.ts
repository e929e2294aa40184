// World-model versions and their predictions in the database. A version is one
// row: opaque params (a blob), `meta` describing the model, and its evaluation
// (JSON, set later). Versions get strictly increasing created_at times so "the
// latest" is well defined even when two are put in the same millisecond. A
// prediction names its run or config and the version that made it; the outcome
// observed later is stored in the same row (whatif --verify).

import type { Selectable } from "kysely";
import { fromJson, newId, toBuffer, toBytes, toJson } from "./codec.js";
import { chunks, writeTx, type Conn } from "./dialect.js";
import type { PredictionsTable, WorldmodelVersionsTable } from "./schema.js";
import type { NewPrediction, PredictionFilter, PredictionRecord, WorldModelRecord } from "./store.js";

/** Rows per multi-row INSERT of predictions (7 parameters each). */
const INSERT_CHUNK = 500;

export async function putWorldModel(
  c: Conn, v: { id: string; params: Uint8Array; meta: unknown; evaluation: unknown | null },
): Promise<void> {
  const params = toBuffer(v.params);
  await writeTx(c, async (trx) => {
    const last = await trx
      .selectFrom("worldmodel_versions")
      .select((eb) => eb.fn.max("created_at").as("t"))
      .executeTakeFirst();
    const createdAt = Math.max(Date.now(), Number(last?.t ?? 0) + 1);
    await trx
      .insertInto("worldmodel_versions")
      .values({
        id: v.id,
        created_at: createdAt,
        params,
        meta: toJson(v.meta),
        evaluation: v.evaluation === null || v.evaluation === undefined ? null : toJson(v.evaluation),
      })
      .execute();
  });
}

export async function setWorldModelEvaluation(c: Conn, id: string, evaluation: unknown): Promise<void> {
  const updated = await writeTx(c, (trx) =>
    trx.updateTable("worldmodel_versions").set({ evaluation: toJson(evaluation) }).where("id", "=", id).executeTakeFirst(),
  );
  if (Number(updated.numUpdatedRows) === 0) throw new Error(`store: no world-model version '${id}'`);
}

function toWorldModelRecord(r: Selectable<WorldmodelVersionsTable>): WorldModelRecord {
  return { id: r.id, createdAt: r.created_at, params: toBytes(r.params), meta: fromJson(r.meta), evaluation: fromJson(r.evaluation) };
}

export async function getWorldModel(c: Conn, id?: string): Promise<WorldModelRecord | null> {
  let q = c.db.selectFrom("worldmodel_versions").selectAll();
  q = id === undefined ? q.orderBy("created_at", "desc").orderBy("id", "desc").limit(1) : q.where("id", "=", id);
  const row = await q.executeTakeFirst();
  return row ? toWorldModelRecord(row) : null;
}

export async function listWorldModels(c: Conn): Promise<Omit<WorldModelRecord, "params">[]> {
  const rows = await c.db
    .selectFrom("worldmodel_versions")
    .select(["id", "created_at", "meta", "evaluation"])
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  return rows.map((r) => ({ id: r.id, createdAt: r.created_at, meta: fromJson(r.meta), evaluation: fromJson(r.evaluation) }));
}

export async function putPredictions(c: Conn, predictions: NewPrediction[]): Promise<string[]> {
  if (predictions.length === 0) return [];
  const now = Date.now();
  const rows = predictions.map((p) => ({
    id: newId("p"),
    run_id: p.runId,
    config_id: p.configId,
    worldmodel_id: p.worldModelId,
    predicted: toJson(p.predicted),
    outcome: p.outcome === null || p.outcome === undefined ? null : toJson(p.outcome),
    created_at: now,
  }));
  await writeTx(c, async (trx) => {
    for (const part of chunks(rows, INSERT_CHUNK)) await trx.insertInto("predictions").values(part).execute();
  });
  return rows.map((r) => r.id);
}

export async function setPredictionOutcome(c: Conn, id: string, outcome: unknown): Promise<void> {
  const updated = await writeTx(c, (trx) =>
    trx.updateTable("predictions").set({ outcome: toJson(outcome) }).where("id", "=", id).executeTakeFirst(),
  );
  if (Number(updated.numUpdatedRows) === 0) throw new Error(`store: no prediction '${id}'`);
}

function toPredictionRecord(r: Selectable<PredictionsTable>): PredictionRecord {
  return {
    id: r.id,
    runId: r.run_id,
    configId: r.config_id,
    worldModelId: r.worldmodel_id,
    predicted: fromJson(r.predicted),
    outcome: fromJson(r.outcome),
    createdAt: r.created_at,
  };
}

export async function listPredictions(c: Conn, f: PredictionFilter = {}): Promise<PredictionRecord[]> {
  let q = c.db.selectFrom("predictions").selectAll();
  if (f.runId !== undefined) q = q.where("run_id", "=", f.runId);
  if (f.configId !== undefined) q = q.where("config_id", "=", f.configId);
  if (f.worldModelId !== undefined) q = q.where("worldmodel_id", "=", f.worldModelId);
  const rows = await q.orderBy("created_at", "asc").orderBy("id", "asc").execute();
  return rows.map(toPredictionRecord);
}
