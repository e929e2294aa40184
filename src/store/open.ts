// Where a store lives: a URL picks the dialect. postgres:// or postgresql://
// opens PostgreSQL (a `schema` query parameter, or the schema option, keeps the
// tables in a schema of their own); anything else is the path of a SQLite file
// (created with its directory if missing; ":memory:" for a throwaway one).
// Opening applies pending migrations.

import { connectPostgres, connectSqlite, migrate } from "./connect.js";
import { SqlStore } from "./sql-store.js";
import type { Store } from "./store.js";

export const DEFAULT_STORE_URL = "./toyworld.db";

/** The store to use: the explicit URL, else $TOYWORLD_DB, else ./toyworld.db. */
export function defaultStoreUrl(explicit?: string): string {
  return explicit ?? (process.env.TOYWORLD_DB || undefined) ?? DEFAULT_STORE_URL;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export interface OpenOptions {
  /** PostgreSQL only: the schema that holds the tables (created if missing); overrides ?schema= */
  schema?: string;
}

export async function openStore(url: string, options: OpenOptions = {}): Promise<Store> {
  let conn;
  if (isPostgresUrl(url)) {
    const u = new URL(url);
    const schema = options.schema ?? u.searchParams.get("schema");
    u.searchParams.delete("schema");
    conn = await connectPostgres(u.toString(), schema);
  } else {
    if (options.schema !== undefined) throw new Error("store: a schema applies to PostgreSQL only");
    conn = connectSqlite(url.replace(/^sqlite:/i, ""));
  }
  try {
    await migrate(conn);
  } catch (e) {
    await conn.db.destroy();
    throw e;
  }
  return new SqlStore(conn);
}

/** Drops a PostgreSQL schema and everything in it (throwaway stores of tests and benchmarks). */
export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  const { default: pg } = await import("pg");
  const u = new URL(url);
  u.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema.replaceAll('"', '""')}" cascade`);
  } finally {
    await client.end();
  }
}
