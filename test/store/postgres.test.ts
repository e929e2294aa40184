// The store suite on PostgreSQL: the local test database (started if down, see
// test/helpers/services.ts), in a schema of its own that is dropped at the end.

import assert from "node:assert/strict";
import { after, test } from "node:test";
import pg from "pg";
import { migrationNames, openStore } from "../../src/store/index.js";
import { dropSchema, ensurePostgres, freshSchema, withSchema } from "../helpers/services.js";
import { storeSuite } from "./store-suite.js";

const base = await ensurePostgres();
const schema = freshSchema();
const url = withSchema(base, schema);
after(() => dropSchema(base, schema));

storeSuite("postgres store", () => openStore(url), { url });

test("postgres: tables live in the test schema, every migration recorded once", async () => {
  const store = await openStore(url);
  assert.equal(store.kind, "postgres");
  await store.close();
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    const names = await client.query(`select name from "${schema}".kysely_migration order by name`);
    assert.deepEqual(names.rows.map((r: { name: string }) => r.name), [...migrationNames]);
    const tables = await client.query("select table_name from information_schema.tables where table_schema = $1", [schema]);
    const found = tables.rows.map((r: { table_name: string }) => r.table_name);
    for (const t of ["runs", "curves", "checkpoints", "sweeps", "findings", "annotations", "predictions", "designs", "worldmodel_versions"]) {
      assert.ok(found.includes(t), `table ${t}`);
    }
  } finally {
    await client.end();
  }
});

test("postgres: a second schema of the same database gets its own tables and migrations", async () => {
  // the suite's schema already holds kysely_migration: the new one must not be fooled by it
  const other = freshSchema();
  try {
    const a = await openStore(url);
    const b = await openStore(withSchema(base, other));
    try {
      const [id] = await b.enqueue([{ configId: "c", config: {}, family: "other-schema" }]);
      assert.equal(await a.getRun(id!), null, "schemas do not share runs");
      assert.equal((await b.getRun(id!))!.family, "other-schema");
    } finally {
      await a.close();
      await b.close();
    }
  } finally {
    await dropSchema(base, other);
  }
});
