// Upgrading a store made before migration 005 (no `cancelled` status) on SQLite and
// PostgreSQL: SQLite rebuilds the runs table, and every run keeps its row, curves
// and checkpoints (foreign keys on would cascade the old table's drop to them), the
// indexes are back, a run can be cancelled and an unknown status is still refused.
// Going down again turns cancelled runs into failed ones that say so.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { Migrator, sql } from "kysely";
import { connectPostgres, connectSqlite } from "../../src/store/connect.js";
import type { Conn } from "../../src/store/dialect.js";
import { CodeMigrationProvider } from "../../src/store/migrations/index.js";
import { openStore, type Store } from "../../src/store/index.js";
import { SqlStore } from "../../src/store/sql-store.js";
import { dropSchema, ensurePostgres, freshSchema, withSchema } from "../helpers/services.js";
import { assertCurvesEqual, curves, newRun, result } from "./fixtures.js";

const RUN_INDEXES = ["runs_config_id", "runs_created_at", "runs_family", "runs_parent_run_id", "runs_queue", "runs_sweep_id"];

async function migrateTo(c: Conn, name: string): Promise<void> {
  const migrator = new Migrator({
    db: c.db,
    provider: new CodeMigrationProvider(c.kind),
    ...(c.schema === null ? {} : { migrationTableSchema: c.schema }),
  });
  const { error } = await migrator.migrateTo(name);
  if (error) throw error;
}

async function runIndexes(c: Conn): Promise<string[]> {
  const rows = c.kind === "sqlite"
    ? await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'runs' and name like 'runs_%'`.execute(c.db)
    : await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = ${c.schema} and tablename = 'runs' and indexname <> 'runs_pkey'`.execute(c.db);
  return rows.rows.map((r) => r.name).sort();
}

function upgradeTests(name: string, connect: () => Promise<Conn>, reopen: () => Promise<Store>): void {
  test(`${name}: a store at migration 004 upgrades to cancelled runs and keeps every run's data`, async () => {
    const old = await connect();
    await migrateTo(old, "004-findings-predictions");
    const oldStore = new SqlStore(old);
    const c = curves(["train_loss", "test_loss"], 12);
    const finished = await oldStore.insertFinished(newRun("upgrade-005", { name: "kept" }), result(c));
    await oldStore.putCheckpoint({ runId: finished, step: 5, data: new Uint8Array([1, 2, 3]) });
    const [queued, running] = await oldStore.enqueue([newRun("upgrade-005"), newRun("upgrade-005", { priority: 1 })]);
    assert.deepEqual((await oldStore.claim("old:1", 1, 60_000)).map((r) => r.id), [running]);
    await oldStore.close();

    const store = await reopen();
    const raw = await connect();
    try {
      const run = (await store.getRun(finished))!;
      assert.deepEqual([run.status, run.name], ["completed", "kept"]);
      assertCurvesEqual((await store.getCurves([finished])).get(finished), c, "curves after the rebuild");
      assert.deepEqual((await store.getCheckpoint(finished, 5))!.data, new Uint8Array([1, 2, 3]));
      assert.equal((await store.getRun(running!))!.worker, "old:1");
      assert.deepEqual(await runIndexes(raw), RUN_INDEXES);

      assert.deepEqual(await store.cancelRuns([queued!, running!]), [queued, running]);
      assert.equal((await store.countRuns({ family: "upgrade-005" })).cancelled, 2);
      await assert.rejects(raw.db.updateTable("runs").set({ status: "bogus" as never }).where("id", "=", finished).execute(), /check|constraint/i);

      // and back: 004 knows no cancelled run (SQLite's rebuild needs foreign keys off, as migrate() does)
      if (raw.kind === "sqlite") await sql`pragma foreign_keys = off`.execute(raw.db);
      await migrateTo(raw, "004-findings-predictions");
      const down = await raw.db.selectFrom("runs").select(["status", "error"]).where("id", "in", [queued!, running!]).execute();
      assert.deepEqual(down, [{ status: "failed", error: "cancelled" }, { status: "failed", error: "cancelled" }]);
      assert.equal((await raw.db.selectFrom("curves").select("metric").where("run_id", "=", finished).execute()).length, 2);
      await assert.rejects(raw.db.updateTable("runs").set({ status: "cancelled" }).where("id", "=", finished).execute(), /check|constraint/i);
    } finally {
      await raw.db.destroy();
      await store.close();
    }
  });
}

describe("migration 005", () => {
  const dir = mkdtempSync(join(tmpdir(), "toyworld-migrate-005-"));
  const file = join(dir, "old.db");
  after(() => rmSync(dir, { recursive: true, force: true }));
  upgradeTests("sqlite", async () => connectSqlite(file), () => openStore(file));

  test("sqlite: the rebuild refuses to run with foreign keys on", async () => {
    const c = connectSqlite(join(dir, "fk-on.db"));
    try {
      await migrateTo(c, "004-findings-predictions");
      await assert.rejects(migrateTo(c, "005-cancelled-status"), /foreign keys off/);
    } finally {
      await c.db.destroy();
    }
  });

  const schema = freshSchema();
  let base = "";
  after(() => (base ? dropSchema(base, schema) : undefined));
  upgradeTests("postgres", async () => {
    base ||= await ensurePostgres();
    return connectPostgres(base, schema);
  }, () => openStore(withSchema(base, schema)));
});
