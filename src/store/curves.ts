// Curves in the database: one row per run and metric, written with their run's
// result in the caller's transaction, read for many runs at once in chunks of
// IN-lists (a few queries for thousands of runs).

import type { Insertable, Kysely } from "kysely";
import { decodeCurveRows, encodeCurve } from "./codec.js";
import { chunks } from "./dialect.js";
import type { CurvesTable, DB } from "./schema.js";
import type { RunCurves } from "./store.js";

/** Ids per IN-list when reading curves. */
const READ_CHUNK = 500;
/** Rows per multi-row INSERT (5 parameters each). */
const WRITE_CHUNK = 200;

export type CurveInsert = Insertable<CurvesTable>;

/** The rows of a run's curves, encoded before any transaction starts (a bad curve throws here). */
export function curveRows(runId: string, curves: RunCurves): CurveInsert[] {
  return Object.entries(curves).map(([metric, curve]) => ({ run_id: runId, metric, ...encodeCurve(metric, curve) }));
}

/** Inserts curve rows inside the caller's transaction. */
export async function insertCurves(trx: Kysely<DB>, rows: CurveInsert[]): Promise<void> {
  for (const part of chunks(rows, WRITE_CHUNK)) {
    await trx.insertInto("curves").values(part).execute();
  }
}

/**
 * Curves of `runIds` (all metrics, or only `metrics`). The map has an entry for
 * every run with at least one stored curve of the requested metrics; runs without
 * any are absent. Up to `parallel` chunk queries run at once.
 */
export async function loadCurves(
  db: Kysely<DB>, runIds: string[], metrics?: string[], parallel = 1,
): Promise<Map<string, RunCurves>> {
  const out = new Map<string, RunCurves>();
  if (metrics !== undefined && metrics.length === 0) return out;
  const wanted = metrics === undefined ? undefined : [...new Set(metrics)];
  const parts = chunks([...new Set(runIds)], READ_CHUNK);
  const load = async (part: string[]) => {
    let q = db.selectFrom("curves").select(["run_id", "metric", "steps", "vals"]).where("run_id", "in", part);
    if (wanted !== undefined) q = q.where("metric", "in", wanted);
    // a run's rows all come in one chunk: its curves can share one buffer
    decodeCurveRows(await q.execute(), out);
  };
  // `parallel` queries in flight (PostgreSQL: the server encodes one chunk while we decode another)
  let next = 0;
  const lane = async () => {
    while (next < parts.length) await load(parts[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, parts.length)) }, lane));
  return out;
}
