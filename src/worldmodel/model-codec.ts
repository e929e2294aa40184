// The bytes of a trained world model: "TWWM", a little-endian u32 header length, a
// JSON header (net shape, standardizer, target norms, calibration, support radius,
// meta), zero padding to a multiple of 4, then float32 data: the net's parameters
// in order, then the training encodings of the support index.

import { Standardizer } from "./encode.js";
import { paramSizes, type NetShape } from "./ensemble.js";
import { SupportIndex } from "./support.js";
import type { ModelState, WorldModelMeta } from "./model.js";

const MAGIC = "TWWM";
const FORMAT = 1;

interface Header {
  format: number;
  shape: NetShape;
  standardizer: { mean: number[]; std: number[] };
  targetMean: number[];
  targetStd: number[];
  calibration: number[];
  support: { dims: number; count: number; radius: number | null };
  meta: WorldModelMeta;
}

export type DecodedState = Omit<ModelState, "net"> & { weights: Float32Array[]; shape: NetShape };

export function encodeState(s: ModelState): Uint8Array {
  const header: Header = {
    format: FORMAT,
    shape: s.net.shape,
    standardizer: { mean: Array.from(s.standardizer.mean), std: Array.from(s.standardizer.std) },
    targetMean: Array.from(s.targetMean),
    targetStd: Array.from(s.targetStd),
    calibration: Array.from(s.calibration),
    support: { dims: s.support.dims, count: s.support.count, radius: Number.isFinite(s.support.radius) ? s.support.radius : null },
    meta: s.meta,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((8 + json.length) / 4) * 4;
  const weights = s.net.weights();
  const floats = weights.reduce((n, w) => n + w.length, 0) + s.support.rows.length;
  const bytes = new Uint8Array(dataStart + floats * 4);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(4, json.length, true);
  bytes.set(json, 8);
  const data = new Float32Array(bytes.buffer, dataStart, floats);
  let at = 0;
  for (const w of [...weights, s.support.rows]) {
    data.set(w, at);
    at += w.length;
  }
  return bytes;
}

export function decodeState(bytes: Uint8Array): DecodedState {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw new Error("worldmodel: not a serialized world model");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len))) as Header;
  if (header.format !== FORMAT) throw new Error(`worldmodel: unknown format ${header.format}`);
  const dataStart = Math.ceil((8 + len) / 4) * 4;
  // copy: the input may not be 4-byte aligned
  const data = new Float32Array(bytes.slice(dataStart).buffer);
  let at = 0;
  const take = (n: number) => {
    if (at + n > data.length) throw new Error("worldmodel: serialized model is truncated");
    const out = data.slice(at, at + n);
    at += n;
    return out;
  };
  const weights = paramSizes(header.shape).map(take);
  const rows = take(header.support.dims * header.support.count);
  return {
    shape: header.shape,
    weights,
    standardizer: new Standardizer(Float32Array.from(header.standardizer.mean), Float32Array.from(header.standardizer.std)),
    targetMean: Float64Array.from(header.targetMean),
    targetStd: Float64Array.from(header.targetStd),
    calibration: Float64Array.from(header.calibration),
    support: new SupportIndex(rows, header.support.dims, header.support.radius ?? Infinity),
    meta: header.meta,
  };
}
