// Parquet for the exchange: the schema, a sink that writes runs' rows in row groups
// (hyparquet-writer), and a reader that hands back each row group's columns as a
// batch (hyparquet).

import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from "hyparquet";
import { ParquetWriter, fileWriter, type SchemaElement } from "hyparquet-writer";
import { EXCHANGE_COLUMNS, ExchangeError, checkColumns, type Batch, type Sink } from "./rows.js";

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
export function parquetSink(path: string, rowGroup: number): Sink {
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

export async function* parquetBatches(path: string): AsyncGenerator<Batch> {
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
