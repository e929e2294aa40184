// The migration list, in code (no files are read at run time): each NNN-name.ts
// module exports up (and down) taking the dialect's column types. Kysely's
// Migrator applies them in name order and records them in kysely_migration.
// Add a migration by adding a module and a line here; never edit an applied one.

import type { Kysely, Migration, MigrationProvider } from "kysely";
import { columnTypes, type ColumnTypes, type Kind } from "../dialect.js";
import * as m001 from "./001-runs.js";
import * as m002 from "./002-curves-checkpoints.js";
import * as m003 from "./003-analysis.js";
import * as m004 from "./004-findings-predictions.js";
import * as m005 from "./005-cancelled-status.js";

interface MigrationModule {
  up(db: Kysely<any>, t: ColumnTypes): Promise<void>;
  down(db: Kysely<any>, t: ColumnTypes): Promise<void>;
}

const modules: Record<string, MigrationModule> = {
  "001-runs": m001,
  "002-curves-checkpoints": m002,
  "003-analysis": m003,
  "004-findings-predictions": m004,
  "005-cancelled-status": m005,
};

/** Names of every migration, in order. */
export const migrationNames: readonly string[] = Object.keys(modules).sort();

export class CodeMigrationProvider implements MigrationProvider {
  constructor(private readonly kind: Kind) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const t = columnTypes(this.kind);
    const out: Record<string, Migration> = {};
    for (const [name, m] of Object.entries(modules)) {
      out[name] = { up: (db) => m.up(db, t), down: (db) => m.down(db, t) };
    }
    return out;
  }
}
