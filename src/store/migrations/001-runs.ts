// Migration 001: the run queue and sweeps. A run row carries its config (canonical
// JSON), its place in the queue (status, priority, lease), its lineage (parent run,
// fork step, interventions as JSON) and its outcome. Sweep and parent ids are not
// foreign keys: an imported run may name a sweep or parent this store never saw.

import { sql, type Kysely } from "kysely";
import type { ColumnTypes } from "../dialect.js";

// a migration sees the schema as it was then, not as schema.ts describes it now
export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable("sweeps")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text")
    .addColumn("spec", "text", (c) => c.notNull())
    .addColumn("created_at", t.bigint, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("runs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("config_id", "text", (c) => c.notNull())
    .addColumn("config", "text", (c) => c.notNull())
    .addColumn("family", "text", (c) => c.notNull())
    .addColumn("name", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("sweep_id", "text")
    .addColumn("parent_run_id", "text")
    .addColumn("fork_step", "integer")
    .addColumn("interventions", "text")
    .addColumn("priority", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("worker", "text")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("error", "text")
    .addColumn("diverged_at", "integer")
    .addColumn("param_count", t.bigint)
    .addColumn("wall_seconds", t.double)
    .addColumn("created_at", t.bigint, (c) => c.notNull())
    .addColumn("started_at", t.bigint)
    .addColumn("finished_at", t.bigint)
    .addColumn("lease_until", t.bigint)
    .addCheckConstraint("runs_status_check", sql`status in ('queued', 'running', 'completed', 'diverged', 'failed')`)
    .execute();

  // claim: the queued runs, highest priority then oldest
  await db.schema.createIndex("runs_queue").on("runs").columns(["status", "priority desc", "created_at", "id"]).execute();
  await db.schema.createIndex("runs_config_id").on("runs").column("config_id").execute();
  await db.schema.createIndex("runs_family").on("runs").column("family").execute();
  await db.schema.createIndex("runs_sweep_id").on("runs").column("sweep_id").execute();
  await db.schema.createIndex("runs_parent_run_id").on("runs").column("parent_run_id").execute();
  // listRuns: newest first
  await db.schema.createIndex("runs_created_at").on("runs").column("created_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("runs").execute();
  await db.schema.dropTable("sweeps").execute();
}
