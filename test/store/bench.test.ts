// benchStore end to end on tiny sizes: the JSON line has every key with finite,
// positive numbers; a throwaway SQLite file is gone afterwards; mistakes are
// UsageErrors. No timing assertions: speed is measured, never asserted.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { benchStore, parseStoreBenchOptions } from "../../src/cli/store-bench.js";
import { UsageError } from "../../src/cli/errors.js";
import { ensurePostgres } from "../helpers/services.js";

const dir = mkdtempSync(join(tmpdir(), "toyworld-store-bench-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const KEYS = [
  "enqueue_runs_per_s", "claim_runs_per_s", "ingest_s", "ingest_runs_per_s", "ingest_points_per_s",
  "load_s", "load_10k_runs_s", "load_points_per_s",
];

function check(line: string, store: string, runs: number): void {
  const row = JSON.parse(line) as Record<string, unknown>;
  assert.deepEqual([row.bench, row.store, row.runs, row.metrics, row.points_per_curve, row.load_runs], ["store", store, runs, 10, 150, runs]);
  for (const k of KEYS) assert.ok(Number.isFinite(row[k]) && (row[k] as number) > 0, `${k} = ${row[k]}`);
}

test("bench store on SQLite prints one JSON line and removes its file", async () => {
  const lines: string[] = [];
  await benchStore({ json: true, runs: 40, write: (l) => lines.push(l) });
  assert.equal(lines.length, 1);
  check(lines[0]!, "sqlite", 40);

  const file = join(dir, "bench.db");
  const table: string[] = [];
  await benchStore({ url: file, json: false, runs: 5, write: (l) => table.push(l) });
  assert.match(table.join("\n"), /ingest \(finish\)\s+[\d,]+ points\/s/);
  assert.ok(!existsSync(file) && !existsSync(`${file}-wal`), "the bench file is removed");
});

test("bench store refuses bad sizes and existing files", async () => {
  await assert.rejects(benchStore({ json: true, runs: 0 }), UsageError);
  assert.throws(() => parseStoreBenchOptions({ runs: "ten" }), UsageError);
  assert.deepEqual(parseStoreBenchOptions({ runs: "500", json: true }), { url: undefined, json: true, runs: 500 });
  const existing = join(dir, "existing.db");
  writeFileSync(existing, "");
  await assert.rejects(benchStore({ url: existing, json: true, runs: 1 }), UsageError);
  assert.ok(existsSync(existing), "an existing file is left alone");
});

test("bench store on PostgreSQL measures in a throwaway schema", async () => {
  const url = await ensurePostgres();
  const lines: string[] = [];
  await benchStore({ url, json: true, runs: 20, write: (l) => lines.push(l) });
  check(lines[0]!, "postgres", 20);
});
