// Migration 004: the analysis tables in the shape their users need. Nothing ever
// wrote the tables of 003 except `designs`, so findings, annotations, world-model
// versions and predictions are dropped and created anew:
// - findings name their detector and its integer version; a finding's runs live in
//   `finding_runs` (indexed by run), so "the findings of this run" and "of this
//   sweep" (through runs.sweep_id) are index lookups;
// - annotations hold a verdict (confirm | reject) and go with their finding;
// - world-model versions carry `meta` (what the model is: features, training set)
//   next to params and evaluation;
// - predictions carry the `outcome` observed later, stored with the prediction.

import { sql, type Kysely } from "kysely";
import type { ColumnTypes } from "../dialect.js";

// a migration sees the schema as it was then, not as schema.ts describes it now
export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  // children first: annotations reference findings, predictions world-model versions
  for (const table of ["annotations", "findings", "predictions", "worldmodel_versions"]) {
    await db.schema.dropTable(table).execute();
  }

  await db.schema
    .createTable("findings")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("detector", "text", (c) => c.notNull())
    .addColumn("detector_version", "integer", (c) => c.notNull())
    .addColumn("score", t.double, (c) => c.notNull())
    .addColumn("from_step", "integer")
    .addColumn("to_step", "integer")
    .addColumn("coordinate", "text")
    .addColumn("evidence", "text", (c) => c.notNull())
    .addColumn("explanation", "text", (c) => c.notNull())
    .addColumn("dedupe_key", "text", (c) => c.notNull().unique())
    .addColumn("created_at", t.bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("findings_kind").on("findings").columns(["kind", "created_at"]).execute();
  await db.schema.createIndex("findings_detector").on("findings").columns(["detector", "detector_version"]).execute();
  await db.schema.createIndex("findings_created_at").on("findings").column("created_at").execute();

  // run ids are not foreign keys: like sweeps and parents, a finding may outlive or predate its runs' rows
  await db.schema
    .createTable("finding_runs")
    .addColumn("finding_id", "text", (c) => c.notNull().references("findings.id").onDelete("cascade"))
    .addColumn("run_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("finding_runs_pk", ["finding_id", "run_id"])
    .execute();
  await db.schema.createIndex("finding_runs_run_id").on("finding_runs").column("run_id").execute();

  await db.schema
    .createTable("annotations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("finding_id", "text", (c) => c.notNull().references("findings.id").onDelete("cascade"))
    .addColumn("verdict", "text", (c) => c.notNull())
    .addColumn("note", "text")
    .addColumn("tags", "text", (c) => c.notNull())
    .addColumn("created_at", t.bigint, (c) => c.notNull())
    .addCheckConstraint("annotations_verdict_check", sql`verdict in ('confirm', 'reject')`)
    .execute();
  await db.schema.createIndex("annotations_finding_id").on("annotations").column("finding_id").execute();

  await db.schema
    .createTable("worldmodel_versions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("created_at", t.bigint, (c) => c.notNull())
    .addColumn("params", t.blob, (c) => c.notNull())
    .addColumn("meta", "text", (c) => c.notNull())
    .addColumn("evaluation", "text")
    .execute();
  await db.schema.createIndex("worldmodel_versions_created_at").on("worldmodel_versions").column("created_at").execute();

  await db.schema
    .createTable("predictions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("run_id", "text")
    .addColumn("config_id", "text")
    .addColumn("worldmodel_id", "text", (c) => c.notNull().references("worldmodel_versions.id").onDelete("cascade"))
    .addColumn("predicted", "text", (c) => c.notNull())
    .addColumn("outcome", "text")
    .addColumn("created_at", t.bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("predictions_run_id").on("predictions").column("run_id").execute();
  await db.schema.createIndex("predictions_config_id").on("predictions").column("config_id").execute();
  await db.schema.createIndex("predictions_worldmodel_id").on("predictions").column("worldmodel_id").execute();
}

/** Back to 003's (empty) tables. */
export async function down(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  for (const table of ["annotations", "finding_runs", "findings", "predictions", "worldmodel_versions"]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema
    .createTable("findings")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("run_ids", "text", (c) => c.notNull())
    .addColumn("score", t.double)
    .addColumn("interval", "text")
    .addColumn("coordinate", "text")
    .addColumn("evidence", "text")
    .addColumn("explanation", "text")
    .addColumn("detector_version", "text", (c) => c.notNull())
    .addColumn("dedupe_key", "text", (c) => c.notNull().unique())
    .addColumn("created_at", t.bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("findings_kind").on("findings").columns(["kind", "created_at"]).execute();
  await db.schema
    .createTable("annotations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("finding_id", "text", (c) => c.notNull().references("findings.id").onDelete("cascade"))
    .addColumn("verdict", "text", (c) => c.notNull())
    .addColumn("note", "text")
    .addColumn("tags", "text", (c) => c.notNull())
    .addColumn("created_at", t.bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("annotations_finding_id").on("annotations").column("finding_id").execute();
  await db.schema
    .createTable("worldmodel_versions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("created_at", t.bigint, (c) => c.notNull())
    .addColumn("params", t.blob, (c) => c.notNull())
    .addColumn("evaluation", "text")
    .execute();
  await db.schema
    .createTable("predictions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("run_id", "text")
    .addColumn("config_id", "text")
    .addColumn("worldmodel_version", "text", (c) => c.notNull().references("worldmodel_versions.id").onDelete("cascade"))
    .addColumn("predicted", "text", (c) => c.notNull())
    .addColumn("created_at", t.bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("predictions_run_id").on("predictions").column("run_id").execute();
  await db.schema.createIndex("predictions_config_id").on("predictions").column("config_id").execute();
}
