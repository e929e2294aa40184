// Opening a database and bringing its schema up to date. SQLite goes through
// better-sqlite3 (WAL journal, busy_timeout, foreign keys on); PostgreSQL through a
// pg Pool whose bigint columns parse to numbers (milliseconds and counts stay far
// below 2^53) and whose search_path may name a schema of its own.

import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import { gateFor, immediate, type Conn } from "./dialect.js";
import { CodeMigrationProvider } from "./migrations/index.js";
import type { DB } from "./schema.js";

/** How long a SQLite writer waits for another process's write lock. */
const BUSY_TIMEOUT_MS = 15_000;

export function connectSqlite(file: string): Conn {
  const memory = file === ":memory:" || file === "";
  const path = memory ? ":memory:" : resolve(file);
  if (!memory) mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!memory) database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL"); // durable at checkpoints; WAL keeps the file consistent
  database.pragma("foreign_keys = ON");
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database }) });
  return { db, kind: "sqlite", gate: memory ? null : gateFor(path), schema: null };
}

const int8 = (text: string): number => Number(text);
const pgTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 && format !== "binary" ? int8 : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

/** `schema`: tables live in this schema (created if missing), set as the search_path of every connection. */
export async function connectPostgres(url: string, schema: string | null): Promise<Conn> {
  let connectionString = url;
  if (schema !== null) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) throw new Error(`store: invalid schema name '${schema}'`);
    const u = new URL(url);
    const options = u.searchParams.get("options");
    u.searchParams.set("options", `${options ? options + " " : ""}-c search_path=${schema}`);
    connectionString = u.toString();
  }
  const pool = new pg.Pool({ connectionString, types: pgTypes });
  // an idle connection that breaks (server restart) is dropped by the pool; the next query gets a new one
  pool.on("error", () => undefined);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  if (schema !== null) {
    try {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    } catch (e) {
      // a concurrent creator won the race (unique violation); anything else is real
      if ((e as { code?: string }).code !== "23505") {
        await db.destroy();
        throw e;
      }
    }
  }
  // Kysely looks for its migration tables in every schema unless told which one
  const current = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db).catch(async (e) => {
    await db.destroy();
    throw e;
  });
  const inUse = current.rows[0]?.schema ?? null;
  if (inUse === null) {
    await db.destroy();
    throw new Error("store: no schema of the search_path exists in this PostgreSQL database");
  }
  return { db, kind: "postgres", gate: null, schema: inUse };
}

/**
 * Applies the pending migrations. PostgreSQL: Kysely's Migrator runs them in one
 * transaction under an advisory lock. SQLite: Kysely runs them without a
 * transaction, so they run here inside one BEGIN IMMEDIATE transaction, which also
 * keeps two processes opening a new file at once from both creating the tables.
 * SQLite's foreign keys are off meanwhile (the pragma cannot change inside a
 * transaction): a migration that rebuilds a table drops the old one, which would
 * otherwise cascade to its children's rows. They are checked before the commit.
 */
export async function migrate(c: Conn): Promise<void> {
  const provider = new CodeMigrationProvider(c.kind);
  /** Returns how many migrations it applied. */
  const run = async (db: Kysely<DB>): Promise<number> => {
    const migrator = new Migrator({ db, provider, ...(c.schema === null ? {} : { migrationTableSchema: c.schema }) });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === "Error")?.migrationName;
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`store: migration ${failed ?? ""} failed: ${message}`, { cause: error });
    }
    return results?.filter((r) => r.status === "Success").length ?? 0;
  };
  if (c.kind === "sqlite") {
    await sql`pragma foreign_keys = off`.execute(c.db);
    try {
      await immediate(c.db, c.gate, async (db) => {
        if ((await run(db)) === 0) return;
        const broken = await sql<{ table: string; parent: string }>`pragma foreign_key_check`.execute(db);
        if (broken.rows.length > 0) {
          const first = broken.rows[0]!;
          throw new Error(`store: migration left ${broken.rows.length} rows of ${first.table} without their ${first.parent} row`);
        }
      });
    } finally {
      await sql`pragma foreign_keys = on`.execute(c.db);
    }
    return;
  }
  // a concurrent first open may collide while creating the migration tables: retry once
  try {
    await run(c.db);
  } catch {
    await run(c.db);
  }
}
