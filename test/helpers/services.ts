// External services the tests need. ensurePostgres() returns the URL of the local
// PostgreSQL test database (127.0.0.1:5432, database `test`, trust auth), starting
// the Debian cluster if it is down; $TOYWORLD_TEST_PG overrides the URL (and then
// nothing is started). freshSchema()/dropSchema() give each test run a schema of
// its own so runs never see each other's rows.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import pg from "pg";
import { dropPostgresSchema } from "../../src/store/index.js";

const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test";
const START_TIMEOUT_MS = 30_000;

async function accepts(url: string): Promise<Error | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return null;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  } finally {
    await client.end().catch(() => undefined);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A URL of a PostgreSQL database that accepts connections now, or a clear error. */
export async function ensurePostgres(): Promise<string> {
  const override = process.env.TOYWORLD_TEST_PG;
  const url = override || DEFAULT_URL;
  const first = await accepts(url);
  if (first === null) return url;
  if (override) throw new Error(`PostgreSQL at $TOYWORLD_TEST_PG (${url}) does not accept connections: ${first.message}`);

  const versions = existsSync("/etc/postgresql") ? readdirSync("/etc/postgresql") : [];
  if (versions.length === 0) {
    throw new Error(`PostgreSQL at ${url} is down (${first.message}) and no cluster is installed under /etc/postgresql`);
  }
  const version = versions.sort().at(-1)!;
  try {
    execFileSync("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "start"], { stdio: "pipe", timeout: START_TIMEOUT_MS });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    // "already running" is fine: it may still be starting up
    if (!stderr?.includes("already running")) {
      throw new Error(`PostgreSQL at ${url} is down (${first.message}) and 'pg_ctlcluster ${version} main start' failed: ${stderr || String(e)}`);
    }
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last: Error | null = first;
  while (Date.now() < deadline) {
    last = await accepts(url);
    if (last === null) return url;
    await sleep(250);
  }
  throw new Error(`PostgreSQL cluster ${version}/main was started but ${url} still refuses connections: ${last?.message}`);
}

/** A new schema name for one test run: toyworld_test_<random>. */
export function freshSchema(prefix = "toyworld_test"): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

/** `url` with `?schema=` set: openStore keeps its tables there. */
export function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set("schema", schema);
  return u.toString();
}

/** Drops the schema and everything in it. */
export function dropSchema(url: string, schema: string): Promise<void> {
  return dropPostgresSchema(url, schema);
}
