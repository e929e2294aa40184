// The store suite on SQLite (a temporary file), plus what only SQLite shows: the
// pragmas, the migration table after several opens, and the URL rules.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { defaultStoreUrl, migrationNames, openStore } from "../../src/store/index.js";
import { storeSuite } from "./store-suite.js";

const dir = mkdtempSync(join(tmpdir(), "toyworld-store-"));
const file = join(dir, "sub", "store.db");
after(() => rmSync(dir, { recursive: true, force: true }));

storeSuite("sqlite store", () => openStore(file), { url: file });

test("sqlite: WAL, foreign keys, and every migration recorded once", async () => {
  const store = await openStore(file);
  await store.close();
  const db = new Database(file, { readonly: true });
  try {
    assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
    const names = db.prepare("select name from kysely_migration order by name").all() as { name: string }[];
    assert.deepEqual(names.map((r) => r.name), [...migrationNames]);
    const tables = (db.prepare("select name from sqlite_master where type = 'table' order by name").all() as { name: string }[]).map((r) => r.name);
    for (const t of ["runs", "curves", "checkpoints", "sweeps", "findings", "annotations", "predictions", "designs", "worldmodel_versions"]) {
      assert.ok(tables.includes(t), `table ${t}`);
    }
  } finally {
    db.close();
  }
});

test("sqlite: an in-memory store works and the default URL follows $TOYWORLD_DB", async () => {
  const store = await openStore(":memory:");
  assert.equal(store.kind, "sqlite");
  assert.equal((await store.enqueue([{ configId: "c", config: {}, family: "f" }])).length, 1);
  await store.close();
  await store.close(); // closing twice is harmless

  const saved = process.env.TOYWORLD_DB;
  try {
    delete process.env.TOYWORLD_DB;
    assert.equal(defaultStoreUrl(), "./toyworld.db");
    process.env.TOYWORLD_DB = "postgres://db/x";
    assert.equal(defaultStoreUrl(), "postgres://db/x");
    assert.equal(defaultStoreUrl("/tmp/explicit.db"), "/tmp/explicit.db");
  } finally {
    if (saved === undefined) delete process.env.TOYWORLD_DB;
    else process.env.TOYWORLD_DB = saved;
  }
});
