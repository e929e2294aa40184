// The long format that export and import share, whatever the file format: one row
// per (run, metric, step), with the run's columns repeated on each row. Here: the
// columns and formats, the error for bad input, the two interfaces the per-format
// code implements (a Sink writes runs' rows, a Batch hands rows back on import),
// and the reading of an imported row: typed values (RowReader), a run's columns
// (RunMeta) and its points, with the checks that reject a bad file before anything
// is stored. Errors name the file and the row.

import type { RunCurves } from "../../store/store.js";

export type ExchangeFormat = "parquet" | "csv" | "jsonl";
export const EXCHANGE_FORMATS: readonly ExchangeFormat[] = ["parquet", "csv", "jsonl"];

/** The columns, in file order: the first twelve are the documented core, the last four toyworld's extras. */
export const EXCHANGE_COLUMNS = [
  "run_id", "config_id", "family", "status", "name", "sweep_id", "parent_run_id", "fork_step",
  "metric", "step", "value", "config",
  "diverged_at", "wall_seconds", "param_count", "interventions",
] as const;
/** Columns an imported file must have; the others may be missing or null. */
export const REQUIRED_COLUMNS = ["run_id", "family", "metric", "step", "value", "config"] as const;

/** A problem with the input (a bad file, a bad option): one line for the user. */
export class ExchangeError extends Error {}

export function formatFromPath(path: string): ExchangeFormat | null {
  const ext = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  if (ext === "parquet" || ext === "pq") return "parquet";
  if (ext === "csv") return "csv";
  if (ext === "jsonl" || ext === "ndjson") return "jsonl";
  return null;
}

/** The run's columns other than metric, step and value, as they are written. */
export interface RunColumns {
  run_id: string; config_id: string; family: string; status: string; name: string | null; sweep_id: string | null;
  parent_run_id: string | null; fork_step: number | null; config: string;
  diverged_at: number | null; wall_seconds: number | null; param_count: number | null; interventions: string | null;
}

export interface Sink {
  /** one run's rows */
  run(cols: RunColumns, curves: RunCurves, metrics: string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Rows of a file: the value of a column in a row, undefined where the file has no
 * such column (CSV: text, null for an empty unquoted field).
 */
export interface Batch {
  length: number;
  get(col: string, row: number): unknown;
}

export function checkColumns(path: string, names: string[]): void {
  const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) throw new ExchangeError(`${path}: missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (required: ${REQUIRED_COLUMNS.join(", ")})`);
}

/** A number as text that parses back to the same double: -0 keeps its sign. */
export const num = (v: number) => (Object.is(v, -0) ? "-0.0" : String(v));

/** The run's columns as read from its first row. */
export interface RunMeta {
  configId: string | null;
  family: string;
  status: string;
  name: string | null;
  sweepId: string | null;
  parentRunId: string | null;
  forkStep: number | null;
  /** the config as JSON text */
  config: string;
  divergedAt: number | null;
  wallSeconds: number | null;
  paramCount: number | null;
  interventions: string | null;
}

export interface Point {
  runId: string;
  metric: string;
  step: number;
  value: number;
}

/** Reads typed values from the current row. */
export class RowReader {
  constructor(private readonly path: string) {}
  private row = 0;
  private batch: Batch = { length: 0, get: () => undefined };
  private i = 0;
  /** Moves to row `i` of `batch`, row `index` of the file. */
  at(batch: Batch, i: number, index: number): this {
    this.batch = batch;
    this.i = i;
    this.row = index + 1;
    return this;
  }
  private get(col: string): unknown {
    return this.batch.get(col, this.i);
  }
  fail(message: string): never {
    throw new ExchangeError(`${this.path}: row ${this.row}: ${message}`);
  }
  str(col: string): string | null {
    const v = this.get(col);
    if (v === null || v === undefined) return null;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "bigint") return String(v);
    return this.fail(`${col} must be text, got ${JSON.stringify(v)}`);
  }
  required(col: string): string {
    const s = this.str(col);
    if (s === null || s === "") this.fail(`${col} is missing`);
    return s;
  }
  int(col: string, lo = -(2 ** 31), hi = 2 ** 31 - 1): number | null {
    const v = this.get(col);
    if (v === null || v === undefined || v === "") return null;
    const n = typeof v === "string" ? Number(v.trim()) : typeof v === "bigint" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n) || n < lo || n > hi) this.fail(`${col} must be an integer, got ${JSON.stringify(typeof v === "bigint" ? String(v) : v)}`);
    return n;
  }
  /** A double; null, empty and NaN are NaN; Infinity and inf (any case, signed) are infinite. */
  float(col: string): number {
    const v = this.get(col);
    if (v === null || v === undefined) return NaN;
    if (typeof v === "number") return v;
    if (typeof v === "string") {
      const s = v.trim();
      if (s === "" || /^[+-]?nan$/i.test(s)) return NaN;
      if (/^[+-]?inf(inity)?$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
      const n = Number(s);
      if (!Number.isNaN(n)) return n;
    }
    return this.fail(`${col} must be a number, got ${JSON.stringify(v)}`);
  }

  point(): Point {
    const runId = this.required("run_id"), metric = this.required("metric"), step = this.int("step");
    if (step === null) this.fail("step is missing");
    return { runId, metric, step, value: this.float("value") };
  }

  meta(): RunMeta {
    const config = this.get("config"), wall = this.get("wall_seconds");
    return {
      configId: this.str("config_id") || null,
      family: this.required("family"),
      status: this.str("status") || "completed",
      name: this.str("name"),
      sweepId: this.str("sweep_id") || null,
      parentRunId: this.str("parent_run_id") || null,
      forkStep: this.int("fork_step", 0),
      // JSON lines may hold the config as an object
      config: config !== null && typeof config === "object" ? JSON.stringify(config) : this.required("config"),
      divergedAt: this.int("diverged_at"),
      wallSeconds: wall === null || wall === undefined || wall === "" ? null : this.float("wall_seconds"),
      paramCount: this.int("param_count", 0, Number.MAX_SAFE_INTEGER),
      interventions: this.str("interventions") || null,
    };
  }
}

const STATUSES: readonly string[] = ["queued", "running", "completed", "diverged", "failed", "cancelled"];

export function sameMeta(a: RunMeta, b: RunMeta): string | null {
  for (const k of Object.keys(a) as (keyof RunMeta)[]) if (a[k] !== b[k]) return k;
  return null;
}

/**
 * A copy of a string that keeps nothing else alive: a string read from a file may be
 * a slice of a whole chunk of it, and what an import keeps per run must not hold
 * every chunk.
 */
export const own = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

export function ownMeta(m: RunMeta): RunMeta {
  const out = { ...m };
  for (const k of ["configId", "family", "status", "name", "sweepId", "parentRunId", "config", "interventions"] as const) {
    const v = m[k];
    if (v !== null) out[k] = own(v);
  }
  return out;
}

/** Checks a run's columns once, on its first row. */
export function checkMeta(reader: RowReader, m: RunMeta): void {
  if (!STATUSES.includes(m.status)) reader.fail(`status must be one of ${STATUSES.join(", ")}, got '${m.status}'`);
  let config: unknown;
  try {
    config = JSON.parse(m.config);
  } catch {
    reader.fail("config is not JSON");
  }
  if (config === null || typeof config !== "object" || Array.isArray(config)) reader.fail("config must be a JSON object");
  if (m.interventions !== null) {
    let iv: unknown;
    try {
      iv = JSON.parse(m.interventions);
    } catch {
      reader.fail("interventions is not JSON");
    }
    if (!Array.isArray(iv)) reader.fail("interventions must be a JSON array");
  }
}
