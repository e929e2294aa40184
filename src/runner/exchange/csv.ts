// CSV for the exchange: the field text the writer puts in a row, and a streaming
// reader (RFC 4180) that hands back the file's rows in batches, header checked.

import { createReadStream } from "node:fs";
import { ExchangeError, checkColumns, num, type Batch } from "./rows.js";

export function csvField(v: string | number | null): string {
  if (v === null) return "";
  if (typeof v === "number") return num(v);
  // an empty string is quoted, so that an empty unquoted field can mean null
  return v === "" || /[",\n\r]|^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
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

export async function* csvBatches(path: string): AsyncGenerator<Batch> {
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
