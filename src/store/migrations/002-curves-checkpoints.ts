// Migration 002: what training produces. `curves` holds one row per run and metric
// (steps as little-endian int32, values as little-endian float64, both blobs);
// `checkpoints` one row per run and step (opaque serialized state). Both belong to
// their run and go with it.

import type { Kysely } from "kysely";
import type { ColumnTypes } from "../dialect.js";

// a migration sees the schema as it was then, not as schema.ts describes it now
export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable("curves")
    .addColumn("run_id", "text", (c) => c.notNull().references("runs.id").onDelete("cascade"))
    .addColumn("metric", "text", (c) => c.notNull())
    .addColumn("points", "integer", (c) => c.notNull())
    .addColumn("steps", t.blob, (c) => c.notNull())
    .addColumn("vals", t.blob, (c) => c.notNull())
    .addPrimaryKeyConstraint("curves_pk", ["run_id", "metric"])
    .execute();

  await db.schema
    .createTable("checkpoints")
    .addColumn("run_id", "text", (c) => c.notNull().references("runs.id").onDelete("cascade"))
    .addColumn("step", "integer", (c) => c.notNull())
    .addColumn("data", t.blob, (c) => c.notNull())
    .addColumn("created_at", t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint("checkpoints_pk", ["run_id", "step"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("checkpoints").execute();
  await db.schema.dropTable("curves").execute();
}
