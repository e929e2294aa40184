// Upgrading a store made before migration 004 (a user's existing database) on
// SQLite and PostgreSQL: its runs, curves and sweeps survive and the new analysis
// tables work. Also what the Store interface cannot show: deleting a finding takes
// its run rows and annotations with it.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { Migrator } from "kysely";
import { connectPostgres, connectSqlite } from "../../src/store/connect.js";
import type { Conn } from "../../src/store/dialect.js";
import { CodeMigrationProvider } from "../../src/store/migrations/index.js";
import { openStore, type Store } from "../../src/store/index.js";
import { SqlStore } from "../../src/store/sql-store.js";
import { dropSchema, ensurePostgres, freshSchema, withSchema } from "../helpers/services.js";
import { assertCurvesEqual, curves, newRun, result } from "./fixtures.js";

/** Brings a fresh database to migration 003 only, as a store of that time would have. */
async function migrateTo003(c: Conn): Promise<void> {
  const migrator = new Migrator({
    db: c.db,
    provider: new CodeMigrationProvider(c.kind),
    ...(c.schema === null ? {} : { migrationTableSchema: c.schema }),
  });
  const { error } = await migrator.migrateTo("003-analysis");
  if (error) throw error;
}

function upgradeTests(name: string, connect: () => Promise<Conn>, reopen: () => Promise<Store>): void {
  test(`${name}: a store at migration 003 upgrades and keeps its runs`, async () => {
    const old = await connect();
    await migrateTo003(old);
    const oldStore = new SqlStore(old);
    const sweepId = await oldStore.createSweep("before", { grid: {} });
    const c = curves(["train_loss", "test_loss"], 12);
    const runId = await oldStore.insertFinished(newRun("upgrade", { sweepId }), result(c));
    const [queued] = await oldStore.enqueue([newRun("upgrade")]);
    await oldStore.close();

    const store = await reopen();
    try {
      const run = (await store.getRun(runId))!;
      assert.equal(run.status, "completed");
      assert.equal(run.sweepId, sweepId);
      assert.equal((await store.getRun(queued!))!.status, "queued");
      assertCurvesEqual((await store.getCurves([runId])).get(runId), c);
      assert.equal((await store.getSweep(sweepId))!.name, "before");

      const f = {
        kind: "grokking", runIds: [runId], score: 0.8, interval: { fromStep: 1, toStep: 9 }, coordinate: null,
        evidence: { gap: 3 }, explanation: "late generalization", detector: "grokking", detectorVersion: 1, dedupeKey: `grokking@1:${runId}:1-9`,
      };
      const { ids } = await store.putFindings([f]);
      const annotation = await store.addAnnotation({ findingId: ids[0]!, verdict: "confirm" });
      assert.deepEqual((await store.listFindings({ sweepId })).map((x) => x.id), ids);
      await store.putWorldModel({ id: "wm-upgrade", params: new Uint8Array(2), meta: { n: 1 }, evaluation: null });
      await store.putPredictions([{ runId, configId: null, worldModelId: "wm-upgrade", predicted: 1, outcome: 2 }]);

      // deleting a finding removes its run rows and annotations (foreign keys, cascade)
      const raw = await connect();
      try {
        await raw.db.deleteFrom("findings").where("id", "=", ids[0]!).execute();
        assert.equal((await raw.db.selectFrom("finding_runs").selectAll().where("finding_id", "=", ids[0]!).execute()).length, 0);
        assert.equal((await raw.db.selectFrom("annotations").selectAll().where("id", "=", annotation).execute()).length, 0);
        await raw.db.deleteFrom("worldmodel_versions").where("id", "=", "wm-upgrade").execute();
        assert.deepEqual(await store.listPredictions({ runId }), [], "predictions go with their world-model version");
      } finally {
        await raw.db.destroy();
      }
      assert.equal(await store.getFinding(ids[0]!), null);
    } finally {
      await store.close();
    }
  });
}

describe("migration 004", () => {
  const dir = mkdtempSync(join(tmpdir(), "toyworld-migrate-"));
  const file = join(dir, "old.db");
  after(() => rmSync(dir, { recursive: true, force: true }));
  upgradeTests("sqlite", async () => connectSqlite(file), () => openStore(file));

  const schema = freshSchema();
  let base = "";
  after(() => (base ? dropSchema(base, schema) : undefined));
  upgradeTests("postgres", async () => {
    base ||= await ensurePostgres();
    return connectPostgres(base, schema);
  }, () => openStore(withSchema(base, schema)));
});
