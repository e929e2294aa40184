// Migration 005: a run may be `cancelled` (a person stopped it before it finished).
// The runs table's CHECK constraint lists the statuses, so it is widened:
// PostgreSQL drops and adds the constraint; SQLite cannot alter a constraint, so the
// table is rebuilt (created anew, rows copied, old table dropped, new one renamed,
// indexes made again). migrate() (connect.ts) runs SQLite migrations with foreign
// keys off, as SQLite's documented rebuild requires: with them on, dropping the old
// table would cascade to every run's curves and checkpoints. It checks the foreign
// keys before committing.

import { sql, type Kysely } from "kysely";
import type { ColumnTypes } from "../dialect.js";

const BEFORE = ["queued", "running", "completed", "diverged", "failed"];
const AFTER = [...BEFORE, "cancelled"];

const statusCheck = (statuses: string[]) => sql`status in (${sql.join(statuses.map((s) => sql.lit(s)))})`;

/** The runs table as 001 made it, under `name`, allowing `statuses`. */
async function createRuns(db: Kysely<any>, t: ColumnTypes, name: string, statuses: string[]): Promise<void> {
  await db.schema
    .createTable(name)
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
    .addCheckConstraint("runs_status_check", statusCheck(statuses))
    .execute();
}

/** The indexes of 001 on runs. */
async function indexRuns(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("runs_queue").on("runs").columns(["status", "priority desc", "created_at", "id"]).execute();
  await db.schema.createIndex("runs_config_id").on("runs").column("config_id").execute();
  await db.schema.createIndex("runs_family").on("runs").column("family").execute();
  await db.schema.createIndex("runs_sweep_id").on("runs").column("sweep_id").execute();
  await db.schema.createIndex("runs_parent_run_id").on("runs").column("parent_run_id").execute();
  await db.schema.createIndex("runs_created_at").on("runs").column("created_at").execute();
}

async function allowStatuses(db: Kysely<any>, t: ColumnTypes, statuses: string[]): Promise<void> {
  if (t.kind === "postgres") {
    await db.schema.alterTable("runs").dropConstraint("runs_status_check").execute();
    await db.schema.alterTable("runs").addCheckConstraint("runs_status_check", statusCheck(statuses)).execute();
    return;
  }
  const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
  if (fk.rows[0]?.foreign_keys) {
    throw new Error("rebuilding runs needs foreign keys off (migrate() turns them off): with them on, dropping the old table deletes every run's curves");
  }
  await createRuns(db, t, "runs_rebuilt", statuses);
  await sql`insert into runs_rebuilt select * from runs`.execute(db);
  await db.schema.dropTable("runs").execute();
  await db.schema.alterTable("runs_rebuilt").renameTo("runs").execute();
  await indexRuns(db);
}

// a migration sees the schema as it was then, not as schema.ts describes it now
export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await allowStatuses(db, t, AFTER);
}

/** Back to five statuses: a cancelled run becomes a failed one that says why. */
export async function down(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.updateTable("runs").set({ status: "failed", error: "cancelled" }).where("status", "=", "cancelled").execute();
  await allowStatuses(db, t, BEFORE);
}
