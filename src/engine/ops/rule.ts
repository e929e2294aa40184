// The shape of an op rule: forward and backward side by side, typed by the op's attributes.
// OpAttrs is the single list of primitive ops; table.ts must give a Rule for each key,
// so adding an op here without its rule is a compile error.

import type { Tensor } from "../tensor.js";
import type { UnaryOpName } from "../kernels/kernels.js";

export interface MatmulAttrs { transA: boolean; transB: boolean }
export interface ReduceAttrs { axes: number[]; keepdim: boolean }
type NoAttrs = Record<string, never>;

export interface OpAttrs {
  matmul: MatmulAttrs;
  add: NoAttrs;
  sub: NoAttrs;
  mul: NoAttrs;
  div: NoAttrs;
  neg: NoAttrs;
  relu: NoAttrs;
  gelu: NoAttrs;
  tanh: NoAttrs;
  sigmoid: NoAttrs;
  exp: NoAttrs;
  log: NoAttrs;
  sqrt: NoAttrs;
  abs: NoAttrs;
  square: NoAttrs;
  rsqrt: NoAttrs;
  /** alpha * x + beta with constants alpha, beta */
  affine: { alpha: number; beta: number };
  clamp: { min: number; max: number };
  /** select(cond, a, b): all three of one shape; cond carries no gradient */
  select: NoAttrs;
  sum: ReduceAttrs;
  max: ReduceAttrs;
  reshape: { shape: number[] };
  transpose: { perm: number[] };
  slice: { axis: number; start: number; end: number };
  concat: { axis: number };
  /** broadcast to a larger shape (numpy rules) */
  expand: { shape: number[] };
  /** embedding lookup; see ops/indexing.ts for the population convention */
  gather: { perMemberIndex: boolean };
  /** x[..., idx[...]] along the last axis */
  pick: NoAttrs;
  logSoftmax: NoAttrs;
}

export type Op = keyof OpAttrs;

export interface Rule<K extends Op> {
  /** Validates the inputs (throwing ShapeError) and computes the output. */
  forward(inputs: Tensor[], attrs: OpAttrs[K]): Tensor;
  /**
   * Given the output, its gradient and the forward inputs, returns the gradient of
   * each input (null where an input needs none). Runs with autograd off.
   */
  backward(out: Tensor, gradOut: Tensor, inputs: Tensor[], attrs: OpAttrs[K]): Array<Tensor | null>;
}

export type RuleTable = { [K in Op]: Rule<K> };

export type UnaryOpKey = UnaryOpName & Op;

/** An error in the shapes or dtypes given to an op; the message names the op and the shapes. */
export class ShapeError extends Error {
  constructor(op: string, detail: string, inputs: readonly Tensor[]) {
    const shapes = inputs.map((t) => `${t.dtype}[${t.shape.join(", ")}]`).join(", ");
    super(`${op}: ${detail} (inputs: ${shapes})`);
    this.name = "ShapeError";
  }
}

export function expectDtype(op: string, inputs: readonly Tensor[], index: number, dtype: "f32" | "i32"): void {
  const t = inputs[index]!;
  if (t.dtype !== dtype) throw new ShapeError(op, `input ${index} must be ${dtype}, got ${t.dtype}`, inputs);
}

export function expectCount(op: string, inputs: readonly Tensor[], count: number): void {
  if (inputs.length !== count) throw new ShapeError(op, `expected ${count} inputs, got ${inputs.length}`, inputs);
}
