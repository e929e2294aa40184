// The narrow interface between the engine and its numeric backends.
//
// Every kernel works on float32 (or int32 index) buffers that live in one shared
// linear memory (see heap.ts) and is addressed by byte pointers. Signatures follow
// llm.c: outputs first, inputs next, dimensions last. Two implementations exist:
// the AssemblyScript/WASM-SIMD one (wasm.ts, compiled from assembly/) and a plain
// TypeScript reference (reference.ts). One test suite checks them against each other.

/** Unary elementwise ops. The numeric codes are shared with assembly/unary.ts. */
export const UnaryOp = {
  neg: 0,
  relu: 1,
  gelu: 2, // exact (erf) GELU, as torch.nn.functional.gelu by default
  tanh: 3,
  sigmoid: 4,
  exp: 5,
  log: 6,
  sqrt: 7,
  abs: 8,
  square: 9,
  rsqrt: 10,
} as const;
export type UnaryOpName = keyof typeof UnaryOp;

/** Binary elementwise ops (with broadcasting through strides). Codes shared with assembly/binary.ts. */
export const BinaryOp = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  /** out = (a == b) ? 1 : 0, used for masks (no gradient) */
  eq: 4,
  /** out = (a > b) ? 1 : 0 */
  gt: 5,
} as const;
export type BinaryOpName = keyof typeof BinaryOp;

/** Four dims and element strides describing a (possibly broadcast or permuted) view. */
export type Dims4 = readonly [number, number, number, number];

export interface Kernels {
  readonly name: string;

  /** out[n] = value */
  fill(out: number, value: number, n: number): void;

  /**
   * Batched matmul. For each batch index t:
   *   out_t[M,N] (+)= op(a_t) @ op(b_t), op(a_t) is [M,K], op(b_t) is [K,N]
   * a_t = a + t*strideA floats: stored [M,K], or [K,M] when transA.
   * b_t = b + t*strideB floats: stored [K,N], or [N,K] when transB.
   * out_t = out + t*strideOut floats. A stride of 0 broadcasts (or, for out, sums over t).
   * accumulate=1 adds into out instead of overwriting it.
   * scratch: at least K*N floats, used to pack op(b) when transB; only touched when
   * transB, and may be 0 otherwise.
   */
  matmul(
    out: number, a: number, b: number, scratch: number,
    batch: number, strideA: number, strideB: number, strideOut: number,
    M: number, K: number, N: number, transA: number, transB: number, accumulate: number,
  ): void;

  /**
   * out[i0,i1,i2,i3] = a[i.sa] op b[i.sb], out contiguous [d0,d1,d2,d3];
   * strides in elements, 0 where an input is broadcast.
   */
  binary(out: number, a: number, b: number, d: Dims4, sa: Dims4, sb: Dims4, op: number): void;

  /** out[n] = f(x[n]) */
  unary(out: number, x: number, n: number, op: number): void;
  /**
   * dx[n] (+)= dy[n] * f'(x[n]); y = f(x) is passed for ops whose derivative is cheaper
   * from it (tanh, sigmoid, exp, sqrt, rsqrt) and must be a valid buffer of n floats.
   */
  unaryBackward(dx: number, x: number, y: number, dy: number, n: number, op: number, accumulate: number): void;

  /** out[n] = alpha * x[n] + beta */
  affine(out: number, x: number, n: number, alpha: number, beta: number): void;
  /** out[n] = min(max(x[n], lo), hi); the bounds are compared in float64 */
  clamp(out: number, x: number, n: number, lo: number, hi: number): void;
  /** dx[n] (+)= (lo <= x[n] <= hi) ? dy[n] : 0 */
  clampBackward(dx: number, x: number, dy: number, n: number, lo: number, hi: number, accumulate: number): void;
  /** out[n] = cond[n] != 0 ? a[n] : b[n] */
  where(out: number, cond: number, a: number, b: number, n: number): void;

  /** out[O,I] (+)= sum_r x[O,R,I] */
  reduceSum(out: number, x: number, O: number, R: number, I: number, accumulate: number): void;
  /** out[O,I] = max_r x[O,R,I] */
  reduceMax(out: number, x: number, O: number, R: number, I: number): void;
  /** dx[O,R,I] (+)= (x == m[O,I]) ? dy[O,I] / count_of_ties : 0 (ties share the gradient, as torch.amax) */
  reduceMaxBackward(dx: number, x: number, m: number, dy: number, O: number, R: number, I: number, accumulate: number): void;

  /**
   * Strided copy of a 4-d view: out[i.so] (+)= x[i.sx] for i in [d0,d1,d2,d3].
   * Serves permute, slice, concat, expand and their backward passes.
   */
  copyStrided(out: number, x: number, d: Dims4, so: Dims4, sx: Dims4, accumulate: number): void;

  /** out[rows,C] = x - logsumexp(x) along the last axis */
  logSoftmax(out: number, x: number, rows: number, C: number): void;
  /** dx[rows,C] (+)= dy - exp(y) * sum(dy), where y = logSoftmax(x) */
  logSoftmaxBackward(dx: number, y: number, dy: number, rows: number, C: number, accumulate: number): void;

  /**
   * Row gather (embedding lookup): out[t, n, :] = table[t, idx[t*idxStride + n], :]
   * table [batch, V, D], idx int32 [idxBatch, nIdx], out [batch, nIdx, D].
   * idxStride is nIdx, or 0 when one index list serves every batch entry.
   * Indices out of [0, V) are the caller's error and must be rejected before the call.
   */
  gather(out: number, table: number, idx: number, batch: number, nIdx: number, V: number, D: number, idxStride: number): void;
  /** dtable[t, idx[..], :] += dout[t, n, :] (scatter-add; dtable is not cleared) */
  gatherBackward(dtable: number, idx: number, dout: number, batch: number, nIdx: number, V: number, D: number, idxStride: number): void;

  /** out[r] = x[r, idx[r]] for rows r; x [rows, C], idx int32 [rows] (r mod idxRows when broadcast) */
  pick(out: number, x: number, idx: number, rows: number, C: number, idxRows: number): void;
  /** dx[r, idx[r]] += dy[r] (dx is not cleared) */
  pickBackward(dx: number, idx: number, dy: number, rows: number, C: number, idxRows: number): void;

  /** sum of squares of x[n], in float64 */
  sumSquares(x: number, n: number): number;
  /** number of NaN or infinite entries of x[n] */
  countNonFinite(x: number, n: number): number;

  /**
   * SGD with momentum on one member's slice (PyTorch semantics):
   *   g = grad*gradScale + wd*param; buf = momentum*buf + (1-dampening)*g (buf = g on the first step);
   *   g = nesterov ? g + momentum*buf : buf; param -= lr*g
   * buf is never touched when momentum is 0 (it may then be 0).
   */
  sgdStep(param: number, grad: number, buf: number, n: number,
    lr: number, momentum: number, dampening: number, wd: number, nesterov: number, firstStep: number, gradScale: number): void;

  /**
   * Adam / AdamW on one member's slice (PyTorch semantics):
   *   g = grad*gradScale (+ wd*param when !decoupled); param *= 1 - lr*wd when decoupled;
   *   m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; param -= lr/bc1 * m / (sqrt(v/bc2) + eps)
   * bc1 = 1 - b1^t, bc2 = 1 - b2^t.
   */
  adamStep(param: number, grad: number, m: number, v: number, n: number,
    lr: number, b1: number, b2: number, eps: number, wd: number, bc1: number, bc2: number, decoupled: number, gradScale: number): void;
}
