// What differs between the two dialects, in one place: column types for the
// migrations, and how a write transaction is run.
//
// SQLite: every write is a BEGIN IMMEDIATE transaction, so it takes the database's
// write lock before reading and a concurrent process waits (busy_timeout) instead
// of failing on a stale snapshot. better-sqlite3 is synchronous: a second
// connection of the *same* process waiting for that lock would block the event loop
// that the holder needs to finish, so connections of one process to one file also
// queue on an in-process gate first.
//
// PostgreSQL: an ordinary (read committed) transaction; row locks do the rest.

import { sql, type Kysely } from "kysely";
import type { DB } from "./schema.js";

export type Kind = "sqlite" | "postgres";

/** Column types that are spelled differently by the two dialects (and, for a migration that must differ, which one). */
export interface ColumnTypes {
  kind: Kind;
  blob: "blob" | "bytea";
  /** milliseconds since the epoch, counts of parameters */
  bigint: "bigint";
  double: "double precision";
}

export function columnTypes(kind: Kind): ColumnTypes {
  return { kind, blob: kind === "sqlite" ? "blob" : "bytea", bigint: "bigint", double: "double precision" };
}

/** A FIFO mutex: run() calls execute one after another. */
export class Gate {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

const fileGates = new Map<string, Gate>();

/** The gate shared by every connection of this process to `file` (an absolute path). */
export function gateFor(file: string): Gate {
  let gate = fileGates.get(file);
  if (!gate) fileGates.set(file, (gate = new Gate()));
  return gate;
}

/** A database handle with what the store needs to know about its dialect. */
export interface Conn {
  db: Kysely<DB>;
  kind: Kind;
  /** SQLite only: the in-process gate of its file */
  gate: Gate | null;
  /** PostgreSQL only: the schema holding the tables (also the migration tables') */
  schema: string | null;
}

/** Runs `fn` in a write transaction (see the header); commits, or rolls back and rethrows. */
export function writeTx<T>(c: Conn, fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  if (c.kind === "postgres") return c.db.transaction().execute(fn);
  return immediate(c.db, c.gate, fn);
}

/** SQLite: BEGIN IMMEDIATE on the driver's single connection, behind the file's gate. */
export function immediate<D, T>(db: Kysely<D>, gate: Gate | null, fn: (trx: Kysely<D>) => Promise<T>): Promise<T> {
  const run = () =>
    db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (e) {
        // a failed commit leaves the transaction open too
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw e;
      }
    });
  return gate ? gate.run(run) : run();
}

/** Splits `items` into slices of at most `size` (IN lists, multi-row inserts). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
