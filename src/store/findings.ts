// Findings and their annotations in the database. A finding is one row of
// `findings` plus one `finding_runs` row per run. putFindings is insert-or-ignore
// on the unique dedupe key: INSERT ... ON CONFLICT DO NOTHING RETURNING gives the
// rows that were new (only those get their run rows), then one lookup by key gives
// every input its id. Rows go in sorted by key, so two concurrent PostgreSQL
// writers wait on each other's keys in the same order and never deadlock; SQLite
// writers take the database's write lock (dialect.ts).

import type { Insertable, Selectable } from "kysely";
import { sql } from "kysely";
import { fromJson, newId, toJson } from "./codec.js";
import { chunks, writeTx, type Conn } from "./dialect.js";
import type { AnnotationsTable, FindingsTable } from "./schema.js";
import type { AnnotationRecord, FindingData, FindingFilter, FindingRecord, NewAnnotation, Verdict } from "./store.js";

/** Rows per multi-row INSERT of findings (11 parameters each). */
const INSERT_CHUNK = 200;
const ID_CHUNK = 500;
const VERDICTS: readonly Verdict[] = ["confirm", "reject"];

function findingRow(id: string, f: FindingData, createdAt: number): Insertable<FindingsTable> {
  if (!f.dedupeKey) throw new Error("store: a finding needs a dedupeKey");
  if (!Number.isFinite(f.score)) throw new Error(`store: finding ${f.dedupeKey}: score must be finite, got ${f.score}`);
  if (!Number.isInteger(f.detectorVersion)) throw new Error(`store: finding ${f.dedupeKey}: detectorVersion must be an integer`);
  return {
    id,
    kind: f.kind,
    detector: f.detector,
    detector_version: f.detectorVersion,
    score: f.score,
    from_step: f.interval ? f.interval.fromStep : null,
    to_step: f.interval ? f.interval.toStep : null,
    coordinate: f.coordinate ? toJson(f.coordinate) : null,
    evidence: toJson(f.evidence),
    explanation: f.explanation,
    dedupe_key: f.dedupeKey,
    created_at: createdAt,
  };
}

function toFindingRecord(r: Selectable<FindingsTable>, runIds: string[]): FindingRecord {
  return {
    id: r.id,
    kind: r.kind,
    runIds,
    score: r.score,
    interval: r.from_step === null || r.to_step === null ? null : { fromStep: r.from_step, toStep: r.to_step },
    coordinate: fromJson(r.coordinate),
    evidence: fromJson<FindingData["evidence"]>(r.evidence) ?? {},
    explanation: r.explanation,
    detector: r.detector,
    detectorVersion: r.detector_version,
    dedupeKey: r.dedupe_key,
    createdAt: r.created_at,
  };
}

export async function putFindings(c: Conn, findings: FindingData[]): Promise<{ ids: string[]; inserted: number }> {
  if (findings.length === 0) return { ids: [], inserted: 0 };
  const now = Date.now();
  // one row per key (the first input with it), in key order
  const byKey = new Map<string, { row: Insertable<FindingsTable>; runIds: string[] }>();
  for (const f of findings) {
    if (!byKey.has(f.dedupeKey)) byKey.set(f.dedupeKey, { row: findingRow(newId("f"), f, now), runIds: [...new Set(f.runIds)] });
  }
  const keys = [...byKey.keys()].sort();
  const idOfKey = new Map<string, string>();
  let inserted = 0;
  await writeTx(c, async (trx) => {
    for (const part of chunks(keys, INSERT_CHUNK)) {
      const fresh = await trx
        .insertInto("findings")
        .values(part.map((k) => byKey.get(k)!.row))
        .onConflict((oc) => oc.column("dedupe_key").doNothing())
        .returning(["id", "dedupe_key"])
        .execute();
      inserted += fresh.length;
      const runRows = fresh.flatMap((r) => byKey.get(r.dedupe_key)!.runIds.map((runId) => ({ finding_id: r.id, run_id: runId })));
      for (const rows of chunks(runRows, ID_CHUNK)) await trx.insertInto("finding_runs").values(rows).execute();
    }
    for (const part of chunks(keys, ID_CHUNK)) {
      const rows = await trx.selectFrom("findings").select(["id", "dedupe_key"]).where("dedupe_key", "in", part).execute();
      for (const r of rows) idOfKey.set(r.dedupe_key, r.id);
    }
  });
  return { ids: findings.map((f) => idOfKey.get(f.dedupeKey)!), inserted };
}

export async function listFindings(c: Conn, f: FindingFilter = {}): Promise<FindingRecord[]> {
  let q = c.db.selectFrom("findings").selectAll("findings");
  if (f.kind !== undefined) {
    const kinds = Array.isArray(f.kind) ? f.kind : [f.kind];
    if (kinds.length === 0) return [];
    q = q.where("kind", "in", kinds);
  }
  if (f.detector !== undefined) q = q.where("detector", "=", f.detector);
  if (f.runId !== undefined) {
    q = q.where("id", "in", c.db.selectFrom("finding_runs").select("finding_id").where("run_id", "=", f.runId));
  }
  if (f.sweepId !== undefined) {
    const ofSweep = c.db
      .selectFrom("finding_runs")
      .innerJoin("runs", "runs.id", "finding_runs.run_id")
      .select("finding_runs.finding_id")
      .where("runs.sweep_id", "=", f.sweepId);
    q = q.where("id", "in", ofSweep);
  }
  if (f.idPrefix !== undefined) {
    // ids are lower-case base32; '!' escapes LIKE's wildcards in what a person typed
    const pattern = f.idPrefix.toLowerCase().replace(/[!%_]/g, "!$&") + "%";
    q = q.where(sql<boolean>`findings.id like ${pattern} escape '!'`);
  }
  if (f.latestVersions) {
    q = q.where("detector_version", "=", (eb) =>
      eb
        .selectFrom("findings as newer")
        .select((e) => e.fn.max("newer.detector_version").as("v"))
        .whereRef("newer.detector", "=", "findings.detector"),
    );
  }
  q = q.orderBy("created_at", "desc").orderBy("id", "desc");
  if (f.limit !== undefined) q = q.limit(f.limit);
  if (f.offset !== undefined && f.offset > 0) {
    // SQLite allows OFFSET only after a LIMIT; -1 means none
    if (f.limit === undefined && c.kind === "sqlite") q = q.limit(-1);
    q = q.offset(f.offset);
  }
  const rows = await q.execute();
  const runIds = await runsOf(c, rows.map((r) => r.id));
  return rows.map((r) => toFindingRecord(r, runIds.get(r.id) ?? []));
}

export async function getFinding(c: Conn, id: string): Promise<FindingRecord | null> {
  const row = await c.db.selectFrom("findings").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) return null;
  return toFindingRecord(row, (await runsOf(c, [id])).get(id) ?? []);
}

/** finding id -> its run ids, sorted. */
async function runsOf(c: Conn, findingIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const part of chunks(findingIds, ID_CHUNK)) {
    const rows = await c.db.selectFrom("finding_runs").select(["finding_id", "run_id"]).where("finding_id", "in", part).execute();
    for (const r of rows) {
      let list = out.get(r.finding_id);
      if (!list) out.set(r.finding_id, (list = []));
      list.push(r.run_id);
    }
  }
  for (const list of out.values()) list.sort();
  return out;
}

export async function addAnnotation(c: Conn, a: NewAnnotation): Promise<string> {
  if (!VERDICTS.includes(a.verdict)) throw new Error(`store: verdict must be confirm or reject, got '${String(a.verdict)}'`);
  const id = newId("a");
  await writeTx(c, async (trx) => {
    const finding = await trx.selectFrom("findings").select("id").where("id", "=", a.findingId).executeTakeFirst();
    if (!finding) throw new Error(`store: no finding '${a.findingId}'`);
    await trx
      .insertInto("annotations")
      .values({ id, finding_id: a.findingId, verdict: a.verdict, note: a.note ?? null, tags: toJson(a.tags ?? []), created_at: Date.now() })
      .execute();
  });
  return id;
}

function toAnnotationRecord(r: Selectable<AnnotationsTable>): AnnotationRecord {
  return { id: r.id, findingId: r.finding_id, verdict: r.verdict, note: r.note, tags: fromJson<string[]>(r.tags) ?? [], createdAt: r.created_at };
}

export async function listAnnotations(c: Conn, filter: { findingIds?: string[] } = {}): Promise<AnnotationRecord[]> {
  const base = () => c.db.selectFrom("annotations").selectAll();
  let rows: Selectable<AnnotationsTable>[];
  if (filter.findingIds === undefined) {
    rows = await base().execute();
  } else {
    rows = [];
    for (const part of chunks([...new Set(filter.findingIds)], ID_CHUNK)) {
      rows.push(...(await base().where("finding_id", "in", part).execute()));
    }
  }
  rows.sort((x, y) => x.created_at - y.created_at || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return rows.map(toAnnotationRecord);
}
