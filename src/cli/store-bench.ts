// `toyworld bench store`: how fast the store takes in and gives back curves.
// Ingest: N runs are enqueued, claimed and finished one by one by one worker, each
// with 10 metrics x 150 points (finish = result + curves in one transaction); the
// rate counts metric points per second of finishing. Load: the curves of 10,000 of
// those runs read back with one getCurves call. Runs in a throwaway SQLite file by
// default; with a URL, in a fresh file at that path (which must not exist) or, on
// PostgreSQL, in a fresh schema of that database; both are removed afterwards.

import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropPostgresSchema, isPostgresUrl, openStore, type RunCurves, type RunResult, type Store } from "../store/index.js";
import { UsageError } from "./errors.js";

export interface StoreBenchOptions {
  /** where to measure (default: a temporary SQLite file) */
  url?: string;
  /** one JSON object per line instead of a table */
  json: boolean;
  /** runs to ingest (default 10,000) */
  runs?: number;
  /** where lines go (default stdout) */
  write?: (line: string) => void;
}

export interface StoreBenchResult {
  bench: "store";
  store: "sqlite" | "postgres";
  runs: number;
  metrics: number;
  points_per_curve: number;
  enqueue_runs_per_s: number;
  claim_runs_per_s: number;
  ingest_s: number;
  ingest_runs_per_s: number;
  ingest_points_per_s: number;
  /** runs whose curves were loaded: min(runs, 10,000) */
  load_runs: number;
  load_s: number;
  /** load_s scaled linearly to 10,000 runs (equal to load_s when load_runs is 10,000) */
  load_10k_runs_s: number;
  load_points_per_s: number;
}

const METRICS = 10, POINTS = 150, LOAD_RUNS = 10_000, DISTINCT = 16;

/** The command line's raw values (`--url`, `--json`, `--runs`) as options; a bad --runs is a UsageError. */
export function parseStoreBenchOptions(raw: { url?: string; json?: boolean; runs?: string }): StoreBenchOptions {
  const runs = raw.runs === undefined ? undefined : Number(raw.runs);
  if (runs !== undefined && (!Number.isInteger(runs) || runs < 1)) throw new UsageError(`--runs must be a positive integer, got '${raw.runs}'`);
  return { url: raw.url, json: raw.json ?? false, runs };
}

interface Target { store: Store; cleanup(): Promise<void> }

async function openTarget(url: string | undefined): Promise<Target> {
  if (url !== undefined && isPostgresUrl(url)) {
    const schema = `toyworld_bench_${randomBytes(6).toString("hex")}`;
    const store = await openStore(url, { schema });
    return { store, cleanup: () => dropPostgresSchema(url, schema) };
  }
  let file: string, remove: () => void;
  if (url === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "toyworld-bench-"));
    file = join(dir, "bench.db");
    remove = () => rmSync(dir, { recursive: true, force: true });
  } else {
    file = url.replace(/^sqlite:/i, "");
    if (file === ":memory:") throw new UsageError("bench store: give a file path or postgres:// URL, not :memory:");
    if (existsSync(file)) throw new UsageError(`bench store: ${file} exists; give a path for a new file (it is removed afterwards)`);
    remove = () => { for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true }); };
  }
  try {
    return { store: await openStore(file), cleanup: async () => remove() };
  } catch (e) {
    remove();
    throw e;
  }
}

/** A few distinct results to cycle through: generating 10,000 would time the generator. */
function results(): RunResult[] {
  let x = 12345;
  const rand = () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return Array.from({ length: DISTINCT }, () => {
    const curves: RunCurves = {};
    for (let m = 0; m < METRICS; m++) {
      const steps = Int32Array.from({ length: POINTS }, (_, i) => i * 10);
      const values = Float64Array.from({ length: POINTS }, (_, i) => Math.exp(-i / 50) + 0.01 * rand());
      curves[`metric_${m}`] = { steps, values };
    }
    return { status: "completed", divergedAt: null, wallSeconds: 1, paramCount: 1000, curves };
  });
}

const seconds = (from: number) => (performance.now() - from) / 1000;

async function measure(store: Store, runs: number, progress: (s: string) => void): Promise<StoreBenchResult> {
  const family = "bench-store";
  let t = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < runs; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, runs - i) }, (_, k) => ({ configId: `bench-${i + k}`, config: { i: i + k }, family }));
    ids.push(...(await store.enqueue(batch)));
  }
  const enqueueS = seconds(t);

  progress(`claiming ${runs} runs...`);
  t = performance.now();
  const claimed: string[] = [];
  for (;;) {
    const got = await store.claim("bench:1", 500, 3_600_000);
    if (got.length === 0) break;
    claimed.push(...got.map((r) => r.id));
  }
  const claimS = seconds(t);
  if (claimed.length !== runs) throw new Error(`bench store: claimed ${claimed.length} of ${runs} runs`);

  progress(`finishing ${runs} runs (${METRICS} metrics x ${POINTS} points each)...`);
  const pool = results();
  t = performance.now();
  for (let i = 0; i < claimed.length; i++) {
    if (!(await store.finish(claimed[i]!, "bench:1", pool[i % DISTINCT]!))) throw new Error(`bench store: finish of ${claimed[i]} refused`);
  }
  const ingestS = seconds(t);

  const loadIds = ids.slice(0, LOAD_RUNS);
  progress(`loading the curves of ${loadIds.length} runs...`);
  t = performance.now();
  const loaded = await store.getCurves(loadIds);
  const loadS = seconds(t);
  let points = 0;
  for (const c of loaded.values()) for (const curve of Object.values(c)) points += curve.values.length;
  if (points !== loadIds.length * METRICS * POINTS) throw new Error(`bench store: loaded ${points} points, expected ${loadIds.length * METRICS * POINTS}`);

  const runPoints = METRICS * POINTS;
  return {
    bench: "store", store: store.kind, runs, metrics: METRICS, points_per_curve: POINTS,
    enqueue_runs_per_s: runs / enqueueS,
    claim_runs_per_s: runs / claimS,
    ingest_s: ingestS,
    ingest_runs_per_s: runs / ingestS,
    ingest_points_per_s: (runs * runPoints) / ingestS,
    load_runs: loadIds.length,
    load_s: loadS,
    load_10k_runs_s: (loadS * LOAD_RUNS) / loadIds.length,
    load_points_per_s: points / loadS,
  };
}

function table(r: StoreBenchResult): string {
  const n = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
  const rows: [string, string][] = [
    ["store", `${r.store}, ${n(r.runs)} runs x ${r.metrics} metrics x ${r.points_per_curve} points`],
    ["enqueue", `${n(r.enqueue_runs_per_s)} runs/s`],
    ["claim", `${n(r.claim_runs_per_s)} runs/s (batches of 500)`],
    ["ingest (finish)", `${n(r.ingest_points_per_s)} points/s  (${n(r.ingest_runs_per_s)} runs/s, ${n(r.ingest_s, 2)} s)   target >= 50,000`],
    ["load curves", `${n(r.load_s, 3)} s for ${n(r.load_runs)} runs  (${n(r.load_points_per_s)} points/s)`],
    ["load 10k runs", `${n(r.load_10k_runs_s, 3)} s${r.load_runs === LOAD_RUNS ? "" : " (scaled)"}   target < 2`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

/** Runs the store benchmark, prints a table (or one JSON line) and returns the numbers. */
export async function benchStore(opts: StoreBenchOptions): Promise<StoreBenchResult> {
  const runs = opts.runs ?? LOAD_RUNS;
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`bench store: runs must be a positive integer, got '${opts.runs}'`);
  const write = opts.write ?? ((line: string) => void process.stdout.write(line + "\n"));
  const progress = (s: string) => { if (!opts.json && !opts.write && process.stderr.isTTY) process.stderr.write(s + "\n"); };
  const target = await openTarget(opts.url);
  let result: StoreBenchResult;
  try {
    result = await measure(target.store, runs, progress);
  } finally {
    await target.store.close();
    await target.cleanup();
  }
  write(opts.json ? JSON.stringify(result) : table(result));
  return result;
}
