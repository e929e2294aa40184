// `toyworld export` and `toyworld import`: runs and their curves to and from a long
// table (Parquet, CSV or JSON lines); the work is done by runner/exchange/.

import { dirname } from "node:path";
import { existsSync, statSync } from "node:fs";
import { defaultStoreUrl, openStore } from "../store/index.js";
import { EXCHANGE_FORMATS, ExchangeError, exportRuns, formatFromPath, importRuns, type ExchangeFormat } from "../runner/exchange/index.js";
import { UsageError } from "./errors.js";
import { filterFrom, withExistingStore, type FilterFlags, type Out, type StoreFlags } from "./query.js";

function formatOf(flag: string | undefined, path: string, what: string): ExchangeFormat {
  if (flag !== undefined) {
    if (!EXCHANGE_FORMATS.includes(flag as ExchangeFormat)) throw new UsageError(`--format must be one of ${EXCHANGE_FORMATS.join(", ")}, got '${flag}'`);
    return flag as ExchangeFormat;
  }
  const format = formatFromPath(path);
  if (!format) throw new UsageError(`cannot tell the format of ${what} '${path}' from its extension (.parquet, .csv, .jsonl): use --format ${EXCHANGE_FORMATS.join("|")}`);
  return format;
}

/** ExchangeErrors (a bad file) become usage errors: one line, exit code 2. */
async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ExchangeError) throw new UsageError(e.message);
    throw e;
  }
}

export async function exportCommand(flags: StoreFlags & FilterFlags & { format?: string; out?: string }, stdout: Out = process.stdout): Promise<void> {
  const out = flags.out;
  if (!out) throw new UsageError("export needs --out PATH");
  const format = formatOf(flags.format, out, "--out");
  const filter = filterFrom(flags);
  const dir = dirname(out);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`cannot write ${out}: no directory ${dir}`);
  const summary = await withExistingStore(flags, (store) => userErrors(() => exportRuns(store, { format, out, filter })));
  if (flags.json) stdout.write(`${JSON.stringify(summary)}\n`);
  else stdout.write(`wrote ${summary.runs} runs (${summary.rows} rows) to ${out}\n`);
}

export async function importCommand(path: string, flags: StoreFlags & { format?: string }, stdout: Out = process.stdout): Promise<void> {
  const format = formatOf(flags.format, path, "the file");
  if (!existsSync(path)) throw new UsageError(`cannot read ${path}: no such file`);
  const store = await openStore(defaultStoreUrl(flags.db));
  try {
    const s = await userErrors(() => importRuns(store, path, { format }));
    if (flags.json) {
      stdout.write(`${JSON.stringify(s)}\n`);
      return;
    }
    const notes = [
      s.duplicates.length > 0 ? `${s.duplicates.length} already stored` : null,
      s.unfinished.length > 0 ? `${s.unfinished.length} skipped for their status (${[...new Set(s.unfinished.map((u) => u.status))].join(", ")})` : null,
    ].filter((n) => n !== null);
    stdout.write(`imported ${s.imported.length} of ${s.runs} runs (${s.rows} rows) from ${path}${notes.length ? `; ${notes.join("; ")}` : ""}\n`);
  } finally {
    await store.close();
  }
}
