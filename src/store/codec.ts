// Values between JavaScript and the database: ids, JSON text, and curves as blobs.
// A curve's steps are little-endian int32 and its values little-endian float64
// (NaN survives: it is just a bit pattern). Blobs read back may sit at any byte
// offset of a shared buffer: those are copied into fresh, aligned typed arrays.
// Curves handed out may share their ArrayBuffer with the run's other curves.

import { randomBytes } from "node:crypto";
import { endianness } from "node:os";
import type { Curve, RunCurves } from "./store.js";

/** Crockford's base32 alphabet, lower case: no i, l, o, u. */
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** `prefix` + 15 random base32 characters (75 bits), e.g. r3k9x0... for runs, s... for sweeps. */
export function newId(prefix: string): string {
  const bytes = randomBytes(15);
  let id = prefix;
  for (const b of bytes) id += ALPHABET[b & 31];
  return id;
}

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function fromJson<T = unknown>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** A Buffer viewing the same bytes (no copy): what both drivers bind as a blob. */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A plain Uint8Array viewing the same bytes (no copy). */
export function toBytes(buf: Uint8Array): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

const LITTLE = endianness() === "LE";

export interface EncodedCurve {
  points: number;
  steps: Buffer;
  vals: Buffer;
}

export function encodeCurve(metric: string, c: Curve): EncodedCurve {
  const n = c.steps.length;
  if (c.values.length !== n) {
    throw new Error(`store: curve '${metric}' has ${n} steps but ${c.values.length} values`);
  }
  if (LITTLE) return { points: n, steps: copyOf(c.steps), vals: copyOf(c.values) };
  const steps = Buffer.alloc(n * 4), vals = Buffer.alloc(n * 8);
  for (let i = 0; i < n; i++) {
    steps.writeInt32LE(c.steps[i]!, i * 4);
    vals.writeDoubleLE(c.values[i]!, i * 8);
  }
  return { points: n, steps, vals };
}

/** The bytes of a typed array as a Buffer of their own (the caller may reuse its array). */
function copyOf(a: Int32Array | Float64Array): Buffer {
  return Buffer.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

export interface CurveRow {
  run_id: string;
  metric: string;
  steps: Uint8Array;
  vals: Uint8Array;
}

/**
 * Decodes curve rows into `out` (run id -> metric -> curve). A blob that is a
 * whole, aligned buffer of its own (better-sqlite3 allocates one per value) is
 * viewed in place. Others (pg slices small values out of a shared pool) are
 * copied, and the copies of one run's curves share one fresh buffer: one
 * allocation per run instead of two per curve.
 */
export function decodeCurveRows(rows: readonly CurveRow[], out: Map<string, RunCurves>): void {
  const bytesPerRun = new Map<string, number>();
  for (const r of rows) {
    const n = checkedPoints(r.steps, r.vals);
    if (!LITTLE || (ownsBuffer(r.steps) && ownsBuffer(r.vals))) continue;
    bytesPerRun.set(r.run_id, (bytesPerRun.get(r.run_id) ?? 0) + slot(n));
  }
  const slabs = new Map<string, { buffer: ArrayBuffer; at: number }>();
  for (const r of rows) {
    const n = r.steps.byteLength / 4;
    let curve: Curve;
    if (!LITTLE) {
      curve = decodeSwapped(r.steps, r.vals, n);
    } else if (ownsBuffer(r.steps) && ownsBuffer(r.vals)) {
      curve = { steps: new Int32Array(r.steps.buffer, 0, n), values: new Float64Array(r.vals.buffer, 0, n) };
    } else {
      let slab = slabs.get(r.run_id);
      if (!slab) slabs.set(r.run_id, (slab = { buffer: new ArrayBuffer(bytesPerRun.get(r.run_id)!), at: 0 }));
      // values first (8-byte aligned), then steps; each slot a multiple of 8 bytes
      const values = new Float64Array(slab.buffer, slab.at, n), steps = new Int32Array(slab.buffer, slab.at + 8 * n, n);
      new Uint8Array(values.buffer, values.byteOffset, 8 * n).set(r.vals);
      new Uint8Array(steps.buffer, steps.byteOffset, 4 * n).set(r.steps);
      slab.at += slot(n);
      curve = { steps, values };
    }
    let run = out.get(r.run_id);
    if (!run) out.set(r.run_id, (run = {}));
    run[r.metric] = curve;
  }
}

/** Bytes of one curve in a slab: 8n of values and 4n of steps, rounded up to 8. */
const slot = (n: number) => 8 * n + 8 * Math.ceil(n / 2);

function checkedPoints(steps: Uint8Array, vals: Uint8Array): number {
  if (steps.byteLength % 4 !== 0 || vals.byteLength % 8 !== 0 || steps.byteLength / 4 !== vals.byteLength / 8) {
    throw new Error(`store: corrupt curve blobs (${steps.byteLength} step bytes, ${vals.byteLength} value bytes)`);
  }
  return steps.byteLength / 4;
}

/** Whether `b` is all of its ArrayBuffer (so nothing else can see or hold those bytes). */
function ownsBuffer(b: Uint8Array): boolean {
  return b.byteOffset === 0 && b.buffer.byteLength === b.byteLength && b.buffer instanceof ArrayBuffer;
}

function decodeSwapped(steps: Uint8Array, vals: Uint8Array, n: number): Curve {
  const out = { steps: new Int32Array(n), values: new Float64Array(n) };
  const sv = new DataView(steps.buffer, steps.byteOffset, steps.byteLength);
  const vv = new DataView(vals.buffer, vals.byteOffset, vals.byteLength);
  for (let i = 0; i < n; i++) {
    out.steps[i] = sv.getInt32(i * 4, true);
    out.values[i] = vv.getFloat64(i * 8, true);
  }
  return out;
}
