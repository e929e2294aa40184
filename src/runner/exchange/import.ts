// Import of runs into a store. The file is read twice: first to check every row
// (nothing is stored from a bad file) and to learn where each run's last row is,
// then to store each run as soon as its rows are complete (a file grouped by run,
// as exports are, holds one run in memory at a time). The storing, with its
// duplicate check and parent ids, is importer.ts.

import { access } from "node:fs/promises";
import type { Store } from "../../store/store.js";
import { csvBatches } from "./csv.js";
import { Importer, type RunInfo } from "./importer.js";
import { jsonlBatches } from "./jsonl.js";
import { parquetBatches } from "./parquet.js";
import { EXCHANGE_FORMATS, ExchangeError, RowReader, checkMeta, formatFromPath, own, ownMeta, sameMeta, type Batch, type ExchangeFormat } from "./rows.js";

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
  /** skipped: a status the store cannot take finished runs with (queued, running, failed, cancelled) */
  unfinished: { from: string; status: string }[];
}

/** The rows of the file in batches. */
async function* readBatches(path: string, format: ExchangeFormat): AsyncGenerator<Batch> {
  if (format === "parquet") yield* parquetBatches(path);
  else if (format === "csv") yield* csvBatches(path);
  else yield* jsonlBatches(path);
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
