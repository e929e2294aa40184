// Export and import of runs in a long format: one row per (run, metric, step), with
// the run's columns repeated on each row, as Parquet (hyparquet-writer, read back
// with hyparquet), CSV or JSON lines. Export streams: a chunk of runs' curves at a
// time. Import reads the file twice: first to check every row (nothing is stored
// from a bad file) and to learn where each run's last row is, then to store each
// run as soon as its rows are complete (a file grouped by run, as exports are,
// holds one run in memory at a time).
//
// Duplicates: a run in the file is skipped when a run that was in the store before
// the import has the same config_id, status and curves (every metric, step and
// value; NaN equals NaN); each stored run stands for at most one run of the file.
// So importing a file twice, or into the store it came from, adds nothing.
//
// Ids: the store gives imported runs new ids. A parent_run_id naming a run of the
// same file becomes that run's new id (parents are stored before their forks); any
// other parent id is kept as it is.

import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, renameSync, rmSync } from "node:fs";
import { access } from "node:fs/promises";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from "hyparquet";
import { ParquetWriter, fileWriter, type SchemaElement } from "hyparquet-writer";
import { canonicalJson } from "../universe/config/canonical.js";
import type { Lineage, NewRun, RunCurves, RunFilter, RunRecord, RunResult, Store } from "../store/store.js";
import { METRICS } from "./record.js";

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

// ---------------------------------------------------------------------------- export

export interface ExportOptions {
  format: ExchangeFormat;
  out: string;
  filter?: Pick<RunFilter, "status" | "family" | "sweepId">;
  /** runs whose curves are read at once (default 200) */
  chunkRuns?: number;
  /** Parquet: rows per row group, held in memory until written (default 200,000) */
  rowGroupRows?: number;
}

export interface ExportSummary {
  format: ExchangeFormat;
  path: string;
  /** runs written (runs without curves have no rows and are not counted) */
  runs: number;
  rows: number;
}

/** The run's columns other than metric, step and value, as they are written. */
interface RunColumns {
  run_id: string; config_id: string; family: string; status: string; name: string | null; sweep_id: string | null;
  parent_run_id: string | null; fork_step: number | null; config: string;
  diverged_at: number | null; wall_seconds: number | null; param_count: number | null; interventions: string | null;
}

function runColumns(r: RunRecord): RunColumns {
  return {
    run_id: r.id, config_id: r.configId, family: r.family, status: r.status, name: r.name, sweep_id: r.sweepId,
    parent_run_id: r.lineage?.parentRunId ?? null, fork_step: r.lineage?.forkStep ?? null, config: JSON.stringify(r.config),
    diverged_at: r.divergedAt, wall_seconds: r.wallSeconds, param_count: r.paramCount,
    interventions: r.lineage ? JSON.stringify(r.lineage.interventions) : null,
  };
}

const metricOrder = (a: string, b: string) => {
  const ia = (METRICS as readonly string[]).indexOf(a), ib = (METRICS as readonly string[]).indexOf(b);
  return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib) || (a < b ? -1 : a > b ? 1 : 0);
};

interface Sink {
  /** one run's rows */
  run(cols: RunColumns, curves: RunCurves, metrics: string[]): Promise<void>;
  close(): Promise<void>;
}

/** Writes the curves of the filtered runs, oldest run first (parents before their forks). */
export async function exportRuns(store: Store, opts: ExportOptions): Promise<ExportSummary> {
  const runs = (await store.listRuns({ ...opts.filter })).reverse();
  const partial = `${opts.out}.partial`;
  const sink = opts.format === "parquet" ? parquetSink(partial, opts.rowGroupRows ?? 200_000) : textSink(partial, opts.format);
  let written = 0, rows = 0;
  try {
    const chunk = opts.chunkRuns ?? 200;
    for (let i = 0; i < runs.length; i += chunk) {
      const part = runs.slice(i, i + chunk);
      const curves = await store.getCurves(part.map((r) => r.id));
      for (const r of part) {
        const c = curves.get(r.id);
        if (!c) continue;
        const metrics = Object.keys(c).sort(metricOrder);
        await sink.run(runColumns(r), c, metrics);
        written++;
        for (const m of metrics) rows += c[m]!.steps.length;
      }
    }
    await sink.close();
    renameSync(partial, opts.out);
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
  return { format: opts.format, path: opts.out, runs: written, rows };
}

/** A number as text that parses back to the same double: -0 keeps its sign. */
const num = (v: number) => (Object.is(v, -0) ? "-0.0" : String(v));

function csvField(v: string | number | null): string {
  if (v === null) return "";
  if (typeof v === "number") return num(v);
  // an empty string is quoted, so that an empty unquoted field can mean null
  return v === "" || /[",\n\r]|^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** JSON number for finite values; NaN is null; ±Infinity the strings "Infinity", "-Infinity". */
const jsonValue = (v: number) => (Number.isNaN(v) ? "null" : Number.isFinite(v) ? num(v) : v > 0 ? '"Infinity"' : '"-Infinity"');

function textSink(path: string, format: "csv" | "jsonl"): Sink {
  const out = createWriteStream(path);
  let failed: Error | null = null;
  out.on("error", (e) => (failed = e));
  let buffer = "";
  const flush = async () => {
    if (failed) throw failed;
    if (buffer.length === 0) return;
    const ok = out.write(buffer);
    buffer = "";
    if (!ok) await once(out, "drain"); // rejects on an error
  };
  if (format === "csv") buffer = `${EXCHANGE_COLUMNS.join(",")}\n`;
  return {
    async run(cols, curves, metrics) {
      let head: string, tail: string;
      if (format === "csv") {
        head = [cols.run_id, cols.config_id, cols.family, cols.status, cols.name, cols.sweep_id, cols.parent_run_id, cols.fork_step].map(csvField).join(",");
        tail = [cols.config, cols.diverged_at, cols.wall_seconds, cols.param_count, cols.interventions].map(csvField).join(",");
      } else {
        // the run's fields in column order around metric, step and value
        const { config, diverged_at, wall_seconds, param_count, interventions, ...first } = cols;
        head = JSON.stringify(first).slice(0, -1);
        tail = JSON.stringify({ config, diverged_at, wall_seconds, param_count, interventions }).slice(1);
      }
      for (const m of metrics) {
        const { steps, values } = curves[m]!;
        const metric = format === "csv" ? csvField(m) : JSON.stringify(m);
        for (let i = 0; i < steps.length; i++) {
          const v = values[i]!;
          buffer += format === "csv"
            ? `${head},${metric},${steps[i]},${Number.isNaN(v) ? "" : num(v)},${tail}\n`
            : `${head},"metric":${metric},"step":${steps[i]},"value":${jsonValue(v)},${tail}\n`;
        }
        if (buffer.length > 1 << 20) await flush();
      }
    },
    async close() {
      await flush();
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
      if (failed) throw failed;
    },
  };
}

const PARQUET_SCHEMA: SchemaElement[] = [
  { name: "root", num_children: EXCHANGE_COLUMNS.length },
  ...EXCHANGE_COLUMNS.map((name): SchemaElement => {
    const required = name === "run_id" || name === "config_id" || name === "family" || name === "status" || name === "metric" || name === "step" || name === "config";
    const repetition_type = required ? "REQUIRED" : "OPTIONAL";
    if (name === "step" || name === "fork_step" || name === "diverged_at") return { name, type: "INT32", repetition_type };
    if (name === "value" || name === "wall_seconds") return { name, type: "DOUBLE", repetition_type };
    if (name === "param_count") return { name, type: "INT64", repetition_type };
    return { name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type };
  }),
];

/** Rows are held as columns until a row group of `rowGroup` rows (or more: a run is not split) is written. */
function parquetSink(path: string, rowGroup: number): Sink {
  const writer = new ParquetWriter({
    writer: fileWriter(path), schema: PARQUET_SCHEMA, createdBy: "toyworld",
    kvMetadata: [{ key: "toyworld.exchange", value: "1" }],
  });
  let cols = EXCHANGE_COLUMNS.map(() => [] as unknown[]);
  const flush = async () => {
    const n = cols[0]!.length;
    if (n === 0) return;
    await writer.write({
      // min/max statistics of long JSON text cost more than anything else and help no reader
      columnData: EXCHANGE_COLUMNS.map((name, k) => ({ name, data: cols[k]!, statistics: name !== "config" && name !== "interventions" })),
      rowGroupSize: n,
    });
    cols = EXCHANGE_COLUMNS.map(() => [] as unknown[]);
  };
  return {
    async run(c, curves, metrics) {
      const run: Record<string, unknown> = { ...c, param_count: c.param_count === null ? null : BigInt(c.param_count) };
      for (const m of metrics) {
        const { steps, values } = curves[m]!, n = steps.length;
        for (let k = 0; k < EXCHANGE_COLUMNS.length; k++) {
          const name = EXCHANGE_COLUMNS[k]!, col = cols[k]!;
          if (name === "step") for (let i = 0; i < n; i++) col.push(steps[i]);
          else if (name === "value") for (let i = 0; i < n; i++) col.push(Number.isNaN(values[i]!) ? null : values[i]);
          else for (let i = 0, v = name === "metric" ? m : run[name]; i < n; i++) col.push(v);
        }
      }
      if (cols[0]!.length >= rowGroup) await flush();
    },
    async close() {
      await flush();
      await writer.finish();
    },
  };
}

// ---------------------------------------------------------------------------- import

/**
 * Rows of a file: the value of a column in a row, undefined where the file has no
 * such column (CSV: text, null for an empty unquoted field).
 */
interface Batch {
  length: number;
  get(col: string, row: number): unknown;
}

/** The rows of the file in batches. */
async function* readBatches(path: string, format: ExchangeFormat): AsyncGenerator<Batch> {
  if (format === "parquet") yield* parquetBatches(path);
  else if (format === "csv") yield* csvBatches(path);
  else yield* jsonlBatches(path);
}

function checkColumns(path: string, names: string[]): void {
  const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) throw new ExchangeError(`${path}: missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (required: ${REQUIRED_COLUMNS.join(", ")})`);
}

async function* parquetBatches(path: string): AsyncGenerator<Batch> {
  const file = await asyncBufferFromFile(path);
  let metadata;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw new ExchangeError(`${path}: not a Parquet file (${(e as Error).message})`);
  }
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  checkColumns(path, names);
  const columns = names.filter((n) => (EXCHANGE_COLUMNS as readonly string[]).includes(n));
  let start = 0;
  for (const group of metadata.row_groups) {
    const n = Number(group.num_rows), from = start;
    start += n;
    if (n === 0) continue;
    // a row group's columns, as they are decoded (no row objects: they cost more than the rest)
    const data = new Map<string, ArrayLike<unknown>>();
    await parquetRead({
      file, metadata, columns, rowStart: from, rowEnd: from + n,
      onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
        if (rowStart === from && rowEnd === from + n) return void data.set(columnName, columnData);
        let col = data.get(columnName) as unknown[] | undefined;
        if (!col) data.set(columnName, (col = new Array<unknown>(n)));
        for (let i = rowStart; i < rowEnd; i++) col[i - from] = columnData[i - rowStart];
      },
    });
    yield { length: n, get: (col, row) => data.get(col)?.[row] };
  }
}

/** Undoubles the quotes of a quoted CSV field (split and join make one flat string, cheaper than replaceAll's pieces). */
const unquote = (text: string) => (text.includes('""') ? text.split('""').join('"') : text);

/**
 * A streaming CSV reader (RFC 4180: quotes, doubled quotes, newlines in quoted
 * fields, CRLF). A quoted field is gathered with its doubled quotes and undoubled
 * once at its end.
 */
class CsvParser {
  /** the current field; of a quoted field, its text with quotes still doubled */
  private field = "";
  private quoted = false;
  private inQuotes = false;
  private afterQuote = false;
  private record: (string | null)[] = [];
  private records: (string | null)[][] = [];

  push(text: string): (string | null)[][] {
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (this.inQuotes) {
        // to the closing quote: a quote not followed by another
        let q = text.indexOf('"', i);
        while (q >= 0 && q + 1 < n && text.charCodeAt(q + 1) === 34) q = text.indexOf('"', q + 2);
        if (q < 0) {
          this.field += text.slice(i);
          break;
        }
        this.field += text.slice(i, q);
        i = q + 1;
        this.inQuotes = false;
        // a quote at the end of the chunk may be the first of a doubled one
        this.afterQuote = i === n;
        continue;
      }
      const c = text.charCodeAt(i);
      if (this.afterQuote) {
        this.afterQuote = false;
        if (c === 34) { // it was doubled: the field goes on
          this.field += '""';
          this.inQuotes = true;
          i++;
          continue;
        }
      }
      if (c === 44) this.endField();
      else if (c === 10) this.endRecord();
      else if (c === 13) { /* CR of CRLF */ }
      else if (c === 34 && this.field === "" && !this.quoted) this.inQuotes = this.quoted = true;
      else {
        let j = i + 1;
        for (let d = text.charCodeAt(j); j < n && d !== 44 && d !== 10 && d !== 13 && d !== 34; d = text.charCodeAt(++j));
        this.field += text.slice(i, j);
        i = j;
        continue;
      }
      i++;
    }
    return this.records.splice(0);
  }

  end(): (string | null)[][] {
    if (this.inQuotes) throw new Error("a quoted field is not closed at the end of the file");
    if (this.field !== "" || this.quoted || this.record.length > 0) this.endRecord();
    return this.records.splice(0);
  }

  private endField(): void {
    this.record.push(this.quoted ? unquote(this.field) : this.field !== "" ? this.field : null);
    this.field = "";
    this.quoted = false;
  }

  private endRecord(): void {
    this.endField();
    const r = this.record;
    this.record = [];
    if (!(r.length === 1 && r[0] === null)) this.records.push(r); // a blank line
  }
}

async function* csvBatches(path: string): AsyncGenerator<Batch> {
  const parser = new CsvParser();
  let header: string[] | null = null;
  let index: Map<string, number> = new Map();
  let row = 0;
  const toRows = (records: (string | null)[][]): Batch => {
    if (!header && records.length > 0) {
      header = records.shift()!.map((h) => (h ?? "").trim());
      checkColumns(path, header);
      index = new Map(header.map((h, k) => [h, k]));
    }
    for (const rec of records) {
      row++;
      if (rec.length !== header!.length) throw new ExchangeError(`${path}: row ${row}: ${rec.length} fields, but the header has ${header!.length}`);
    }
    return { length: records.length, get: (col, r) => { const k = index.get(col); return k === undefined ? undefined : records[r]![k]; } };
  };
  try {
    for await (const chunk of createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 })) {
      const rows = toRows(parser.push(row === 0 && !header ? (chunk as string).replace(/^\uFEFF/, "") : (chunk as string)));
      if (rows.length > 0) yield rows;
    }
    const rows = toRows(parser.end());
    if (rows.length > 0) yield rows;
  } catch (e) {
    if (e instanceof ExchangeError) throw e;
    throw new ExchangeError(`${path}: ${(e as Error).message}`);
  }
  if (!header) throw new ExchangeError(`${path}: empty file (no header)`);
}

type Raw = Record<string, unknown>;
const objects = (rows: Raw[]): Batch => ({ length: rows.length, get: (col, r) => rows[r]![col] });

async function* jsonlBatches(path: string): AsyncGenerator<Batch> {
  let batch: Raw[] = [];
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity })) {
    line++;
    if (text.trim() === "") continue;
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      throw new ExchangeError(`${path}: line ${line}: not JSON`);
    }
    if (o === null || typeof o !== "object" || Array.isArray(o)) throw new ExchangeError(`${path}: line ${line}: not a JSON object`);
    batch.push(o as Raw);
    if (batch.length >= 5000) yield objects(batch.splice(0));
  }
  if (batch.length > 0) yield objects(batch);
}

/** The run's columns as read from its first row. */
interface RunMeta {
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

interface Point {
  runId: string;
  metric: string;
  step: number;
  value: number;
}

/** Reads typed values from the current row. */
class RowReader {
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

const STATUSES: readonly string[] = ["queued", "running", "completed", "diverged", "failed"];

function sameMeta(a: RunMeta, b: RunMeta): string | null {
  for (const k of Object.keys(a) as (keyof RunMeta)[]) if (a[k] !== b[k]) return k;
  return null;
}

/** Pass 1's findings about one run of the file. */
interface RunInfo {
  /** its run_id */
  key: string;
  meta: RunMeta;
  /** the index of its last row */
  lastRow: number;
}

/**
 * A copy of a string that keeps nothing else alive: a string read from a file may be
 * a slice of a whole chunk of it, and what an import keeps per run must not hold
 * every chunk.
 */
const own = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

function ownMeta(m: RunMeta): RunMeta {
  const out = { ...m };
  for (const k of ["configId", "family", "status", "name", "sweepId", "parentRunId", "config", "interventions"] as const) {
    const v = m[k];
    if (v !== null) out[k] = own(v);
  }
  return out;
}

/** Checks a run's columns once, on its first row. */
function checkMeta(reader: RowReader, m: RunMeta): void {
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

export interface ImportOptions {
  /** default: from the file's extension */
  format?: ExchangeFormat;
  /** runs checked for duplicates and stored together (default 100) */
  batchRuns?: number;
}

export interface ImportSummary {
  format: ExchangeFormat;
  path: string;
  rows: number;
  /** distinct run_ids in the file */
  runs: number;
  /** stored runs: the file's run_id and the new id */
  imported: { from: string; id: string }[];
  /** skipped: the stored run with the same config_id, status and curves */
  duplicates: { from: string; id: string }[];
  /** skipped: a status the store cannot take finished runs with (queued, running, failed) */
  unfinished: { from: string; status: string }[];
}

/** The config_id of a run whose file has none: the first 16 hex digits of the sha256 of its canonical config JSON (keys sorted). */
export function configIdOf(config: unknown): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex").slice(0, 16);
}

export async function importRuns(store: Store, path: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  const format = opts.format ?? formatFromPath(path);
  if (!format) throw new ExchangeError(`cannot tell the format of ${path} from its extension: use --format ${EXCHANGE_FORMATS.join("|")}`);
  try {
    await access(path);
  } catch {
    throw new ExchangeError(`cannot read ${path}: no such file`);
  }
  // pass 1: check every row, find each run's last row
  const runs = new Map<string, RunInfo>();
  const reader = new RowReader(path);
  let rows = 0;
  for await (const batch of readBatches(path, format)) {
    for (let i = 0; i < batch.length; i++) {
      reader.at(batch, i, rows);
      const p = reader.point();
      const meta = reader.meta();
      const info = runs.get(p.runId);
      if (!info) {
        checkMeta(reader, meta);
        const key = own(p.runId);
        runs.set(key, { key, meta: ownMeta(meta), lastRow: rows });
      } else {
        const differs = sameMeta(info.meta, meta);
        if (differs) reader.fail(`run ${p.runId} has another ${differs} than on its first row`);
        info.lastRow = rows;
      }
      rows++;
    }
  }
  // pass 2: store each run once its last row is read
  const importer = new Importer(store, runs, opts.batchRuns ?? 100);
  let index = 0;
  for await (const batch of readBatches(path, format)) {
    for (let i = 0; i < batch.length; i++) {
      if (index >= rows) throw new ExchangeError(`${path} changed while it was imported`);
      if (importer.add(reader.at(batch, i, index).point(), index)) await importer.flush();
      index++;
    }
  }
  if (index !== rows) throw new ExchangeError(`${path} changed while it was imported`);
  await importer.finish();
  return { format, path, rows, runs: runs.size, ...importer.summary };
}

interface Pending {
  from: string;
  meta: RunMeta;
  curves: RunCurves;
}

type Builder = Map<string, { steps: number[]; values: number[] }>;

function toCurves(b: Builder): RunCurves {
  const out: RunCurves = {};
  for (const [metric, { steps, values }] of b) {
    let order: number[] | null = null;
    for (let i = 1; i < steps.length; i++) {
      if (steps[i]! < steps[i - 1]!) {
        order = steps.map((_, k) => k).sort((a, c) => steps[a]! - steps[c]! || a - c);
        break;
      }
    }
    out[metric] = order
      ? { steps: Int32Array.from(order, (k) => steps[k]!), values: Float64Array.from(order, (k) => values[k]!) }
      : { steps: Int32Array.from(steps), values: Float64Array.from(values) };
  }
  return out;
}

function sameCurves(a: RunCurves, b: RunCurves): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const m of keys) {
    const x = a[m]!, y = b[m];
    if (!y || x.steps.length !== y.steps.length) return false;
    for (let i = 0; i < x.steps.length; i++) {
      if (x.steps[i] !== y.steps[i]) return false;
      const u = x.values[i]!, v = y.values[i]!;
      if (u !== v && !(Number.isNaN(u) && Number.isNaN(v))) return false;
    }
  }
  return true;
}

class Importer {
  private readonly open = new Map<string, Builder>();
  private ready: Pending[] = [];
  /** runs waiting for their parent (a run of the file) to be stored */
  private readonly waiting = new Map<string, Pending[]>();
  /** the file's run_id -> the id in the store */
  private readonly resolved = new Map<string, string>();
  /** stored runs that stand for a run of the file, and runs this import stored: neither can be a duplicate again */
  private readonly taken = new Set<string>();
  readonly summary: Pick<ImportSummary, "imported" | "duplicates" | "unfinished"> = { imported: [], duplicates: [], unfinished: [] };

  constructor(private readonly store: Store, private readonly runs: Map<string, RunInfo>, private readonly batchRuns: number) {}

  /** Adds a row; true when a batch of runs is ready to be stored (call flush). */
  add(p: Point, index: number): boolean {
    const info = this.runs.get(p.runId)!;
    let b = this.open.get(info.key);
    if (!b) this.open.set(info.key, (b = new Map()));
    let c = b.get(p.metric);
    if (!c) b.set(p.metric.length > 12 ? own(p.metric) : p.metric, (c = { steps: [], values: [] }));
    c.steps.push(p.step);
    c.values.push(p.value);
    if (info.lastRow !== index) return false;
    this.open.delete(info.key);
    this.schedule({ from: info.key, meta: info.meta, curves: toCurves(b) });
    return this.ready.length >= this.batchRuns;
  }

  private schedule(p: Pending): void {
    const parent = p.meta.parentRunId;
    if (parent !== null && parent !== p.from && this.runs.has(parent) && !this.resolved.has(parent)) {
      const list = this.waiting.get(parent);
      if (list) list.push(p);
      else this.waiting.set(parent, [p]);
    } else {
      this.ready.push(p);
    }
  }

  private resolve(from: string, id: string): void {
    this.resolved.set(from, id);
    const children = this.waiting.get(from);
    if (children) {
      this.waiting.delete(from);
      this.ready.push(...children);
    }
  }

  async flush(): Promise<void> {
    while (this.ready.length > 0) {
      const batch = this.ready.splice(0, this.batchRuns);
      const finished = batch.filter((p) => {
        if (p.meta.status === "completed" || p.meta.status === "diverged") return true;
        this.summary.unfinished.push({ from: p.from, status: p.meta.status });
        this.resolve(p.from, p.from); // its forks keep the parent id as it is
        return false;
      });
      const configs = finished.map((p) => ({ p, config: JSON.parse(p.meta.config) as unknown }));
      const ids = configs.map(({ p, config }) => p.meta.configId ?? configIdOf(config));
      // candidates for duplicates: stored runs with the same config id
      const byConfig = new Map<string, RunRecord[]>();
      for (const id of new Set(ids)) {
        const stored = await this.store.listRuns({ configId: id, status: ["completed", "diverged"] });
        byConfig.set(id, stored.filter((r) => !this.taken.has(r.id)));
      }
      const candidates = [...byConfig.values()].flat();
      const curves = candidates.length > 0 ? await this.store.getCurves(candidates.map((r) => r.id)) : new Map<string, RunCurves>();
      for (let k = 0; k < configs.length; k++) {
        const { p, config } = configs[k]!;
        const configId = ids[k]!;
        const twin = byConfig.get(configId)!.find((r) => !this.taken.has(r.id) && r.status === p.meta.status && sameCurves(p.curves, curves.get(r.id) ?? {}));
        if (twin) {
          this.taken.add(twin.id);
          this.summary.duplicates.push({ from: p.from, id: twin.id });
          this.resolve(p.from, twin.id);
          continue;
        }
        const id = await this.store.insertFinished(newRunOf(p, config, configId, this.resolved), resultOf(p));
        this.taken.add(id);
        this.summary.imported.push({ from: p.from, id });
        this.resolve(p.from, id);
      }
    }
  }

  async finish(): Promise<void> {
    await this.flush();
    // runs whose parents never resolved (a cycle of parent ids): stored with the ids as given
    for (const list of this.waiting.values()) this.ready.push(...list);
    this.waiting.clear();
    await this.flush();
  }
}

function newRunOf(p: Pending, config: unknown, configId: string, resolved: Map<string, string>): NewRun {
  const m = p.meta;
  const lineage: Lineage | null = m.parentRunId === null ? null : {
    parentRunId: resolved.get(m.parentRunId) ?? m.parentRunId,
    forkStep: m.forkStep ?? 0,
    interventions: m.interventions === null ? [] : (JSON.parse(m.interventions) as Lineage["interventions"]),
  };
  return { configId, config, family: m.family, name: m.name, sweepId: m.sweepId, lineage };
}

function resultOf(p: Pending): RunResult {
  const m = p.meta;
  let wall = m.wallSeconds;
  if (wall === null) {
    // no wall_seconds column: the last wall_time point, if any
    const w = p.curves.wall_time?.values;
    for (let i = (w?.length ?? 0) - 1; wall === null && i >= 0; i--) if (Number.isFinite(w![i]!)) wall = w![i]!;
  }
  return {
    status: m.status as "completed" | "diverged",
    divergedAt: m.divergedAt,
    wallSeconds: wall ?? 0,
    paramCount: m.paramCount,
    curves: p.curves,
  };
}

