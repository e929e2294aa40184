// JSON lines for the exchange: the value text the writer puts in a row (NaN and
// ±Infinity have no JSON number), and a reader that hands back the file's objects
// in batches.

import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { ExchangeError, num, type Batch } from "./rows.js";

/** JSON number for finite values; NaN is null; ±Infinity the strings "Infinity", "-Infinity". */
export const jsonValue = (v: number) => (Number.isNaN(v) ? "null" : Number.isFinite(v) ? num(v) : v > 0 ? '"Infinity"' : '"-Infinity"');

type Raw = Record<string, unknown>;
const objects = (rows: Raw[]): Batch => ({ length: rows.length, get: (col, r) => rows[r]![col] });

export async function* jsonlBatches(path: string): AsyncGenerator<Batch> {
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
