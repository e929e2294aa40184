// Kernel calls on whole tensors without autograd: the building blocks that op rules
// use in their forward and backward passes (broadcast binary ops, strided copies,
// reductions to a broadcast source shape).

import { Tensor, shapeString, type Shape } from "../tensor.js";
import { broadcastShapes, broadcastStrides, contiguousStrides, forEachBlock4, sameShape } from "./layout.js";

/** out = a op b with numpy broadcasting; a new tensor. */
export function rawBinary(op: number, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) throw new Error(`binary: shapes ${shapeString(a.shape)} and ${shapeString(b.shape)} do not broadcast`);
  const out = a.engine.empty(shape);
  binaryInto(out, a, b, op);
  return out;
}

/** out (contiguous, the broadcast shape) = a op b. */
export function binaryInto(out: Tensor, a: Tensor, b: Tensor, op: number): void {
  const k = out.engine.kernels;
  const strides = [contiguousStrides(out.shape), broadcastStrides(a.shape, out.shape), broadcastStrides(b.shape, out.shape)];
  forEachBlock4(out.shape, strides, (o, d, s) => {
    k.binary(out.ptr + 4 * o[0]!, a.ptr + 4 * o[1]!, b.ptr + 4 * o[2]!, d, s[1]!, s[2]!, op);
  });
}

/**
 * Copies a strided view of x into a strided region of out:
 * out[ptrOut + i.so] (+)= x[ptrX + i.sx] for i over dims (element offsets and strides).
 */
export function copyStridedInto(
  out: Tensor, outOffset: number, so: readonly number[],
  x: Tensor, xOffset: number, sx: readonly number[],
  dims: Shape, accumulate: boolean,
): void {
  const k = out.engine.kernels;
  forEachBlock4(dims, [so, sx], (o, d, s) => {
    k.copyStrided(out.ptr + 4 * (outOffset + o[0]!), x.ptr + 4 * (xOffset + o[1]!), d, s[0]!, s[1]!, accumulate ? 1 : 0);
  });
}

/** x broadcast to `shape` as a new contiguous tensor. */
export function rawExpand(x: Tensor, shape: Shape): Tensor {
  const out = x.engine.empty(shape);
  copyStridedInto(out, 0, contiguousStrides(shape), x, 0, broadcastStrides(x.shape, shape), shape, false);
  return out;
}

/** The permutation of x's axes as a new contiguous tensor. */
export function rawTranspose(x: Tensor, perm: readonly number[]): Tensor {
  const shape = perm.map((p) => x.shape[p]!);
  const own = contiguousStrides(x.shape);
  const out = x.engine.empty(shape);
  copyStridedInto(out, 0, contiguousStrides(shape), x, 0, perm.map((p) => own[p]!), shape, false);
  return out;
}

export function rawCopy(x: Tensor): Tensor {
  const out = x.engine.empty(x.shape, x.dtype);
  x.engine.kernels.copyStrided(out.ptr, x.ptr, [1, 1, 1, x.size], [0, 0, 0, 1], [0, 0, 0, 1], 0);
  return out;
}

/** Sums x over the given axes (sorted, distinct), keeping them as size-1 dims. */
export function rawSumKeepdim(x: Tensor, axes: readonly number[]): Tensor {
  const engine = x.engine;
  let cur = x;
  let shape = [...x.shape];
  // Reduce runs of adjacent axes in one kernel call each, last run first.
  const runs: Array<[number, number]> = [];
  for (const a of axes) {
    const last = runs[runs.length - 1];
    if (last && last[1] === a) last[1] = a + 1;
    else runs.push([a, a + 1]);
  }
  for (let r = runs.length - 1; r >= 0; r--) {
    const [from, to] = runs[r]!;
    let outer = 1, len = 1, inner = 1;
    shape.forEach((d, i) => {
      if (i < from) outer *= d;
      else if (i < to) len *= d;
      else inner *= d;
    });
    const nextShape = shape.map((d, i) => (i >= from && i < to ? 1 : d));
    const next = engine.empty(nextShape);
    engine.kernels.reduceSum(next.ptr, cur.ptr, outer, len, inner, 0);
    if (cur !== x) cur.dispose();
    cur = next;
    shape = nextShape;
  }
  return cur === x ? rawCopy(x) : cur;
}

/** Sums a gradient of the broadcast shape back to the shape of the input it came from. */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const offset = g.shape.length - shape.length;
  const axes: number[] = [];
  g.shape.forEach((d, i) => {
    const own = i >= offset ? shape[i - offset]! : 1;
    if (own === 1 && d !== 1) axes.push(i);
  });
  const summed = rawSumKeepdim(g, axes);
  return g.engine.view(summed, shape);
}

/** Moves the given axes to the end and returns [moved tensor, perm]. */
export function axesToEnd(x: Tensor, axes: readonly number[]): Tensor {
  const rest = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...rest, ...axes];
  if (perm.every((p, i) => p === i)) return x;
  return rawTranspose(x, perm);
}

/** Splits a shape into [product of the leading dims, product of the last `count` dims]. */
export function trailingSplit(shape: Shape, count: number): [number, number] {
  let outer = 1, len = 1;
  shape.forEach((d, i) => {
    if (i < shape.length - count) outer *= d;
    else len *= d;
  });
  return [outer, len];
}
