// Export of runs from a store: the filtered runs' curves, a chunk of runs at a time,
// written to a sink (Parquet, or the buffered text sink for CSV and JSON lines) at
// `<out>.partial` and renamed to `<out>` once complete.

import { createWriteStream, renameSync, rmSync } from "node:fs";
import { once } from "node:events";
import type { RunFilter, RunRecord, Store } from "../../store/store.js";
import { METRICS } from "../record.js";
import { csvField } from "./csv.js";
import { jsonValue } from "./jsonl.js";
import { parquetSink } from "./parquet.js";
import { EXCHANGE_COLUMNS, num, type ExchangeFormat, type RunColumns, type Sink } from "./rows.js";

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
