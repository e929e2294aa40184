// Migration 003: room for the layers that read the runs. `findings` (detected
// phenomena, deduplicated by a unique key) and their human `annotations`;
// `predictions` of the world model (per run or per config) and its stored
// `worldmodel_versions`; `designs` proposed by the explorer. JSON as text.

import type { Kysely } from "kysely";
import type { ColumnTypes } from "../dialect.js";

// a migration sees the schema as it was then, not as schema.ts describes it now
export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
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

  await db.schema
    .createTable("designs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("config", "text", (c) => c.notNull())
    .addColumn("parent_ids", "text", (c) => c.notNull())
    .addColumn("operator", "text")
    .addColumn("fitness", t.double)
    .addColumn("created_at", t.bigint, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["designs", "predictions", "worldmodel_versions", "annotations", "findings"]) {
    await db.schema.dropTable(table).execute();
  }
}
