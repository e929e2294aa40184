// Shape arithmetic shared by the op rules: numpy broadcasting, strides, and the
// reduction of any strided loop to the kernels' fixed 4-d form.
//
// Kernels take 4 dims and a stride per operand. A loop over an N-d shape is first
// simplified (size-1 dims dropped, dims that are contiguous for every operand
// merged); what is left beyond 4 dims is iterated here, offsetting the pointers.

import type { Dims4 } from "../kernels/kernels.js";
import type { Shape } from "../tensor.js";

export function contiguousStrides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** The numpy broadcast of two shapes, or null when they are incompatible. */
export function broadcastShapes(a: Shape, b: Shape): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Element strides of a contiguous tensor of `shape` read as broadcast to `target` (0 on broadcast dims). */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const own = contiguousStrides(shape);
  const offset = target.length - shape.length;
  return target.map((d, i) => {
    const j = i - offset;
    if (j < 0) return 0;
    return shape[j] === 1 && d !== 1 ? 0 : own[j]!;
  });
}

/** Normalizes a possibly negative axis and checks it against the rank. */
export function normalizeAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`${op}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/**
 * Drops size-1 dims and merges neighbours that are contiguous in every stride list.
 * Returns the simplified dims and the matching strides for each list.
 */
export function simplify(dims: Shape, strides: ReadonlyArray<readonly number[]>): { dims: number[]; strides: number[][] } {
  const outDims: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i]!;
    if (d === 1) continue;
    const last = outDims.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[i]! * d);
    if (mergeable) {
      outDims[last] = outDims[last]! * d;
      strides.forEach((s, k) => (outStrides[k]![last] = s[i]!));
    } else {
      outDims.push(d);
      strides.forEach((s, k) => outStrides[k]!.push(s[i]!));
    }
  }
  return { dims: outDims, strides: outStrides };
}

/**
 * Calls `kernel(offsets, d4, strides4)` for every 4-d block of the strided loop over
 * `dims`; offsets are element offsets per stride list for the outer (beyond 4) dims.
 */
export function forEachBlock4(
  dims: Shape,
  strides: ReadonlyArray<readonly number[]>,
  kernel: (offsets: number[], d: Dims4, s: Dims4[]) => void,
): void {
  const simple = simplify(dims, strides);
  const rank = simple.dims.length;
  const innerRank = Math.min(4, rank);
  const outerRank = rank - innerRank;
  const pad = 4 - innerRank;
  const d4 = [1, 1, 1, 1];
  for (let i = 0; i < innerRank; i++) d4[pad + i] = simple.dims[outerRank + i]!;
  const s4 = simple.strides.map((s) => {
    const v = [0, 0, 0, 0];
    for (let i = 0; i < innerRank; i++) v[pad + i] = s[outerRank + i]!;
    return v as unknown as Dims4;
  });
  const outerDims = simple.dims.slice(0, outerRank);
  const index = new Array<number>(outerRank).fill(0);
  const offsets = strides.map(() => 0);
  for (;;) {
    kernel(offsets.slice(), d4 as unknown as Dims4, s4);
    // advance the outer multi-index (odometer order)
    let k = outerRank - 1;
    while (k >= 0) {
      index[k]!++;
      simple.strides.forEach((s, j) => (offsets[j] = offsets[j]! + s[k]!));
      if (index[k]! < outerDims[k]!) break;
      simple.strides.forEach((s, j) => (offsets[j] = offsets[j]! - s[k]! * outerDims[k]!));
      index[k] = 0;
      k--;
    }
    if (k < 0) return;
  }
}

/** Splits `shape` around `axis` into [outer, axis length, inner] for reduce kernels. */
export function splitAround(shape: Shape, axis: number): [number, number, number] {
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[axis]!, inner];
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
