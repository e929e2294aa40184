// Export and import of runs in a long format: one row per (run, metric, step), with
// the run's columns repeated on each row, as Parquet (hyparquet-writer, read back
// with hyparquet), CSV or JSON lines. Export streams: a chunk of runs' curves at a
// time (export.ts). Import checks the whole file, then stores each run as its rows
// complete, skipping runs the store already holds (import.ts, importer.ts).
//
// rows.ts: the columns, formats and ExchangeError, Sink and Batch, and the reading
// and checking of an imported row; csv.ts, jsonl.ts, parquet.ts: each format's
// reader and writer.

export { EXCHANGE_COLUMNS, EXCHANGE_FORMATS, ExchangeError, REQUIRED_COLUMNS, formatFromPath, type ExchangeFormat } from "./rows.js";
export { exportRuns, type ExportOptions, type ExportSummary } from "./export.js";
export { importRuns, type ImportOptions, type ImportSummary } from "./import.js";
export { configIdOf } from "./importer.js";
