// The differentiable functions users call: one thin wrapper per primitive, with
// defaults for attributes. Composite functions live in ../nn/.

import type { Tensor } from "../tensor.js";
import { broadcastShapes } from "./layout.js";
import { apply } from "./apply.js";
import { ShapeError } from "./rule.js";

export interface MatmulOptions { transA?: boolean; transB?: boolean }
export interface ReduceOptions {
  /** axes to reduce; null or omitted reduces all */
  axes?: number[] | null;
  keepdim?: boolean;
}

export const matmul = (a: Tensor, b: Tensor, o: MatmulOptions = {}): Tensor =>
  apply("matmul", [a, b], { transA: o.transA ?? false, transB: o.transB ?? false });

export const add = (a: Tensor, b: Tensor): Tensor => apply("add", [a, b], {});
export const sub = (a: Tensor, b: Tensor): Tensor => apply("sub", [a, b], {});
export const mul = (a: Tensor, b: Tensor): Tensor => apply("mul", [a, b], {});
export const div = (a: Tensor, b: Tensor): Tensor => apply("div", [a, b], {});

export const neg = (x: Tensor): Tensor => apply("neg", [x], {});
export const relu = (x: Tensor): Tensor => apply("relu", [x], {});
/** exact GELU, 0.5 x (1 + erf(x / sqrt 2)), as PyTorch's default */
export const gelu = (x: Tensor): Tensor => apply("gelu", [x], {});
export const tanh = (x: Tensor): Tensor => apply("tanh", [x], {});
export const sigmoid = (x: Tensor): Tensor => apply("sigmoid", [x], {});
export const exp = (x: Tensor): Tensor => apply("exp", [x], {});
export const log = (x: Tensor): Tensor => apply("log", [x], {});
export const sqrt = (x: Tensor): Tensor => apply("sqrt", [x], {});
export const abs = (x: Tensor): Tensor => apply("abs", [x], {});
export const square = (x: Tensor): Tensor => apply("square", [x], {});
export const rsqrt = (x: Tensor): Tensor => apply("rsqrt", [x], {});

/** alpha * x + beta for constants */
export const affine = (x: Tensor, alpha: number, beta = 0): Tensor => apply("affine", [x], { alpha, beta });
export const scale = (x: Tensor, alpha: number): Tensor => affine(x, alpha, 0);
export const addScalar = (x: Tensor, beta: number): Tensor => affine(x, 1, beta);
export const clamp = (x: Tensor, min: number, max: number): Tensor => apply("clamp", [x], { min, max });

/** Broadcasts x to `shape` (numpy rules). */
export const expand = (x: Tensor, shape: readonly number[]): Tensor => apply("expand", [x], { shape: [...shape] });

/** cond ? a : b elementwise, with broadcasting; cond is a 0/1 float tensor without gradient. */
export function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const ab = broadcastShapes(a.shape, b.shape);
  const shape = ab && broadcastShapes(cond.shape, ab);
  if (!shape) throw new ShapeError("where", "cond, a and b do not broadcast", [cond, a, b]);
  const fit = (t: Tensor) => (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]) ? t : expand(t, shape));
  return apply("select", [fit(cond), fit(a), fit(b)], {});
}

function axesOf(x: Tensor, o: ReduceOptions): number[] {
  return o.axes ?? x.shape.map((_, i) => i);
}

export const sum = (x: Tensor, o: ReduceOptions = {}): Tensor =>
  apply("sum", [x], { axes: axesOf(x, o), keepdim: o.keepdim ?? false });
export const max = (x: Tensor, o: ReduceOptions = {}): Tensor =>
  apply("max", [x], { axes: axesOf(x, o), keepdim: o.keepdim ?? false });

/** Mean over axes: a sum scaled by the count (composite). */
export function mean(x: Tensor, o: ReduceOptions = {}): Tensor {
  const axes = axesOf(x, o).map((a) => (a < 0 ? a + x.rank : a));
  const count = axes.reduce((n, a) => n * (x.shape[a] ?? 1), 1);
  return scale(sum(x, o), 1 / count);
}

export const reshape = (x: Tensor, shape: readonly number[]): Tensor => {
  const known = shape.reduce((n, d) => (d === -1 ? n : n * d), 1);
  const resolved = shape.map((d) => (d === -1 ? x.size / known : d));
  return apply("reshape", [x], { shape: resolved });
};
export const transpose = (x: Tensor, perm: readonly number[]): Tensor => apply("transpose", [x], { perm: [...perm] });
export const slice = (x: Tensor, axis: number, start: number, end: number): Tensor =>
  apply("slice", [x], { axis, start, end });
export const concat = (xs: Tensor[], axis: number): Tensor => apply("concat", xs, { axis });

/** Embedding lookup; see ops/indexing.ts for the population convention. */
export const gather = (table: Tensor, idx: Tensor, o: { perMemberIndex?: boolean } = {}): Tensor =>
  apply("gather", [table, idx], { perMemberIndex: o.perMemberIndex ?? false });
export const pick = (x: Tensor, idx: Tensor): Tensor => apply("pick", [x, idx], {});
export const logSoftmax = (x: Tensor): Tensor => apply("logSoftmax", [x], {});
