// Plain TypeScript reference kernels: the readable specification of every kernel in
// kernels.ts. The WASM-SIMD kernels must agree with these (test/engine/kernels.test.ts),
// and the whole engine can run on them, which makes them a second backend for the
// shared engine test suite. Clarity over speed: no blocking, no unrolling.

import type { Heap } from "../heap.js";
import { BinaryOp, UnaryOp, type Kernels } from "./kernels.js";

const F = 4; // bytes per float32 / int32

/** erf with |error| < 1.2e-7 (Numerical Recipes erfc, Chebyshev fit), in float64. */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export function unaryForward(op: number, x: number): number {
  switch (op) {
    case UnaryOp.neg: return -x;
    case UnaryOp.relu: return x > 0 ? x : 0;
    case UnaryOp.gelu: return 0.5 * x * (1 + erf(x * SQRT1_2));
    case UnaryOp.tanh: return Math.tanh(x);
    case UnaryOp.sigmoid: return 1 / (1 + Math.exp(-x));
    case UnaryOp.exp: return Math.exp(x);
    case UnaryOp.log: return Math.log(x);
    case UnaryOp.sqrt: return Math.sqrt(x);
    case UnaryOp.abs: return Math.abs(x);
    case UnaryOp.square: return x * x;
    case UnaryOp.rsqrt: return 1 / Math.sqrt(x);
    default: throw new Error(`unary: unknown op code ${op}`);
  }
}

/** f'(x), given x and y = f(x). */
export function unaryDerivative(op: number, x: number, y: number): number {
  switch (op) {
    case UnaryOp.neg: return -1;
    case UnaryOp.relu: return x > 0 ? 1 : 0;
    case UnaryOp.gelu: return 0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    case UnaryOp.tanh: return 1 - y * y;
    case UnaryOp.sigmoid: return y * (1 - y);
    case UnaryOp.exp: return y;
    case UnaryOp.log: return 1 / x;
    case UnaryOp.sqrt: return 0.5 / y;
    case UnaryOp.abs: return x > 0 ? 1 : x < 0 ? -1 : 0;
    case UnaryOp.square: return 2 * x;
    case UnaryOp.rsqrt: return -0.5 * y * y * y;
    default: throw new Error(`unary: unknown op code ${op}`);
  }
}

export function binaryForward(op: number, a: number, b: number): number {
  switch (op) {
    case BinaryOp.add: return a + b;
    case BinaryOp.sub: return a - b;
    case BinaryOp.mul: return a * b;
    case BinaryOp.div: return a / b;
    case BinaryOp.eq: return a === b ? 1 : 0;
    case BinaryOp.gt: return a > b ? 1 : 0;
    default: throw new Error(`binary: unknown op code ${op}`);
  }
}

export function referenceKernels(heap: Heap): Kernels {
  const f = () => heap.f32;
  const ints = () => heap.i32;
  return {
    name: "reference",

    fill(out, value, n) {
      f().fill(value, out / F, out / F + n);
    },

    matmul(out, a, b, _scratch, batch, strideA, strideB, strideOut, M, K, N, transA, transB, accumulate) {
      const m = f();
      for (let t = 0; t < batch; t++) {
        const A = a / F + t * strideA, B = b / F + t * strideB, O = out / F + t * strideOut;
        const acc = accumulate !== 0 || (t > 0 && strideOut === 0);
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < N; j++) {
            let s = 0;
            for (let k = 0; k < K; k++) {
              const av = transA ? m[A + k * M + i]! : m[A + i * K + k]!;
              const bv = transB ? m[B + j * K + k]! : m[B + k * N + j]!;
              s += av * bv;
            }
            m[O + i * N + j] = acc ? m[O + i * N + j]! + s : s;
          }
        }
      }
    },

    binary(out, a, b, d, sa, sb, op) {
      const m = f();
      let o = out / F;
      const A = a / F, B = b / F;
      for (let i0 = 0; i0 < d[0]; i0++)
        for (let i1 = 0; i1 < d[1]; i1++)
          for (let i2 = 0; i2 < d[2]; i2++)
            for (let i3 = 0; i3 < d[3]; i3++) {
              const av = m[A + i0 * sa[0] + i1 * sa[1] + i2 * sa[2] + i3 * sa[3]]!;
              const bv = m[B + i0 * sb[0] + i1 * sb[1] + i2 * sb[2] + i3 * sb[3]]!;
              m[o++] = binaryForward(op, av, bv);
            }
    },

    unary(out, x, n, op) {
      const m = f();
      for (let i = 0; i < n; i++) m[out / F + i] = unaryForward(op, m[x / F + i]!);
    },

    unaryBackward(dx, x, y, dy, n, op, accumulate) {
      const m = f();
      for (let i = 0; i < n; i++) {
        const g = m[dy / F + i]! * unaryDerivative(op, m[x / F + i]!, m[y / F + i]!);
        m[dx / F + i] = accumulate ? m[dx / F + i]! + g : g;
      }
    },

    affine(out, x, n, alpha, beta) {
      const m = f();
      for (let i = 0; i < n; i++) m[out / F + i] = alpha * m[x / F + i]! + beta;
    },

    clamp(out, x, n, lo, hi) {
      const m = f();
      for (let i = 0; i < n; i++) m[out / F + i] = Math.min(Math.max(m[x / F + i]!, lo), hi);
    },

    clampBackward(dx, x, dy, n, lo, hi, accumulate) {
      const m = f();
      for (let i = 0; i < n; i++) {
        const v = m[x / F + i]!;
        const g = v >= lo && v <= hi ? m[dy / F + i]! : 0;
        m[dx / F + i] = accumulate ? m[dx / F + i]! + g : g;
      }
    },

    where(out, cond, a, b, n) {
      const m = f();
      for (let i = 0; i < n; i++) m[out / F + i] = m[cond / F + i] !== 0 ? m[a / F + i]! : m[b / F + i]!;
    },

    reduceSum(out, x, O, R, I, accumulate) {
      const m = f();
      for (let o = 0; o < O; o++)
        for (let i = 0; i < I; i++) {
          let s = 0;
          for (let r = 0; r < R; r++) s += m[x / F + (o * R + r) * I + i]!;
          const at = out / F + o * I + i;
          m[at] = accumulate ? m[at]! + s : s;
        }
    },

    reduceMax(out, x, O, R, I) {
      const m = f();
      for (let o = 0; o < O; o++)
        for (let i = 0; i < I; i++) {
          let best = -Infinity;
          for (let r = 0; r < R; r++) best = Math.max(best, m[x / F + (o * R + r) * I + i]!);
          m[out / F + o * I + i] = best;
        }
    },

    reduceMaxBackward(dx, x, mx, dy, O, R, I, accumulate) {
      const m = f();
      for (let o = 0; o < O; o++)
        for (let i = 0; i < I; i++) {
          const best = m[mx / F + o * I + i]!;
          let ties = 0;
          for (let r = 0; r < R; r++) if (m[x / F + (o * R + r) * I + i] === best) ties++;
          const share = m[dy / F + o * I + i]! / ties;
          for (let r = 0; r < R; r++) {
            const at = (o * R + r) * I + i;
            const g = m[x / F + at] === best ? share : 0;
            m[dx / F + at] = accumulate ? m[dx / F + at]! + g : g;
          }
        }
    },

    copyStrided(out, x, d, so, sx, accumulate) {
      const m = f();
      for (let i0 = 0; i0 < d[0]; i0++)
        for (let i1 = 0; i1 < d[1]; i1++)
          for (let i2 = 0; i2 < d[2]; i2++)
            for (let i3 = 0; i3 < d[3]; i3++) {
              const o = out / F + i0 * so[0] + i1 * so[1] + i2 * so[2] + i3 * so[3];
              const v = m[x / F + i0 * sx[0] + i1 * sx[1] + i2 * sx[2] + i3 * sx[3]]!;
              m[o] = accumulate ? m[o]! + v : v;
            }
    },

    logSoftmax(out, x, rows, C) {
      const m = f();
      for (let r = 0; r < rows; r++) {
        const X = x / F + r * C, O = out / F + r * C;
        let mx = -Infinity;
        for (let c = 0; c < C; c++) mx = Math.max(mx, m[X + c]!);
        let s = 0;
        for (let c = 0; c < C; c++) s += Math.exp(m[X + c]! - mx);
        const lse = mx + Math.log(s);
        for (let c = 0; c < C; c++) m[O + c] = m[X + c]! - lse;
      }
    },

    logSoftmaxBackward(dx, y, dy, rows, C, accumulate) {
      const m = f();
      for (let r = 0; r < rows; r++) {
        const Y = y / F + r * C, G = dy / F + r * C, D = dx / F + r * C;
        let s = 0;
        for (let c = 0; c < C; c++) s += m[G + c]!;
        for (let c = 0; c < C; c++) {
          const g = m[G + c]! - Math.exp(m[Y + c]!) * s;
          m[D + c] = accumulate ? m[D + c]! + g : g;
        }
      }
    },

    gather(out, table, idx, batch, nIdx, V, D, idxStride) {
      const m = f(), ix = ints();
      for (let t = 0; t < batch; t++)
        for (let n = 0; n < nIdx; n++) {
          const row = ix[idx / F + t * idxStride + n]!;
          const src = table / F + (t * V + row) * D, dst = out / F + (t * nIdx + n) * D;
          for (let c = 0; c < D; c++) m[dst + c] = m[src + c]!;
        }
    },

    gatherBackward(dtable, idx, dout, batch, nIdx, V, D, idxStride) {
      const m = f(), ix = ints();
      for (let t = 0; t < batch; t++)
        for (let n = 0; n < nIdx; n++) {
          const row = ix[idx / F + t * idxStride + n]!;
          const dst = dtable / F + (t * V + row) * D, src = dout / F + (t * nIdx + n) * D;
          for (let c = 0; c < D; c++) m[dst + c] = m[dst + c]! + m[src + c]!;
        }
    },

    pick(out, x, idx, rows, C, idxRows) {
      const m = f(), ix = ints();
      for (let r = 0; r < rows; r++) m[out / F + r] = m[x / F + r * C + ix[idx / F + (r % idxRows)]!]!;
    },

    pickBackward(dx, idx, dy, rows, C, idxRows) {
      const m = f(), ix = ints();
      for (let r = 0; r < rows; r++) {
        const at = dx / F + r * C + ix[idx / F + (r % idxRows)]!;
        m[at] = m[at]! + m[dy / F + r]!;
      }
    },

    sumSquares(x, n) {
      const m = f();
      let s = 0;
      for (let i = 0; i < n; i++) s += m[x / F + i]! * m[x / F + i]!;
      return s;
    },

    countNonFinite(x, n) {
      const m = f();
      let bad = 0;
      for (let i = 0; i < n; i++) if (!Number.isFinite(m[x / F + i]!)) bad++;
      return bad;
    },

    sgdStep(param, grad, buf, n, lr, momentum, dampening, wd, nesterov, firstStep, gradScale) {
      const m = f();
      for (let i = 0; i < n; i++) {
        const p = param / F + i;
        let g = m[grad / F + i]! * gradScale + wd * m[p]!;
        if (momentum !== 0) {
          const bi = buf / F + i;
          const b = firstStep ? g : momentum * m[bi]! + (1 - dampening) * g;
          m[bi] = b;
          g = nesterov ? g + momentum * b : b;
        }
        m[p] = m[p]! - lr * g;
      }
    },

    adamStep(param, grad, mm, vv, n, lr, b1, b2, eps, wd, bc1, bc2, decoupled, gradScale) {
      const m = f();
      for (let i = 0; i < n; i++) {
        const p = param / F + i, mi = mm / F + i, vi = vv / F + i;
        let g = m[grad / F + i]! * gradScale;
        if (decoupled) m[p] = m[p]! * (1 - lr * wd);
        else g += wd * m[p]!;
        m[mi] = b1 * m[mi]! + (1 - b1) * g;
        m[vi] = b2 * m[vi]! + (1 - b2) * g * g;
        m[p] = m[p]! - (lr / bc1) * m[mi]! / (Math.sqrt(m[vi]! / bc2) + eps);
      }
    },
  };
}

