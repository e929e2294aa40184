// Unary elementwise ops and their backward pass over contiguous f32 buffers.
// The op codes match UnaryOp in src/engine/kernels/kernels.ts. Each op gets its own
// f32x4 loop (the op is a compile-time constant inside the inlined loop body); the
// n % 4 tail runs the same vector code on a lane-partial load. Transcendentals use
// the vector approximations of simd.ts.

import { exp4, gelu4, geluGrad4, loadPartial, log4, sigmoid4, storePartial, tanh4 } from "./simd";

export const NEG = 0;
export const RELU = 1;
export const GELU = 2;
export const TANH = 3;
export const SIGMOID = 4;
export const EXP = 5;
export const LOG = 6;
export const SQRT = 7;
export const ABS = 8;
export const SQUARE = 9;
export const RSQRT = 10;

/** f(x) per lane for a constant op. */
// @ts-ignore: decorator
@inline
function forward(op: i32, x: v128): v128 {
  const zero = f32x4.splat(0);
  switch (op) {
    case NEG: return f32x4.neg(x);
    case RELU: return v128.and(x, f32x4.gt(x, zero)); // NaN -> 0, as `x > 0 ? x : 0`
    case GELU: return gelu4(x);
    case TANH: return tanh4(x);
    case SIGMOID: return sigmoid4(x);
    case EXP: return exp4(x);
    case LOG: return log4(x);
    case SQRT: return f32x4.sqrt(x);
    case ABS: return f32x4.abs(x);
    case SQUARE: return f32x4.mul(x, x);
    case RSQRT: return f32x4.div(f32x4.splat(1), f32x4.sqrt(x));
    default: return f32x4.splat(NaN);
  }
}

/**
 * dy * f'(x) per lane for a constant op, given y = f(x); loads w (1..4) lanes of
 * x, y, dy from px, py, pdy, and only those the op needs.
 */
// @ts-ignore: decorator
@inline
function backward(op: i32, px: usize, py: usize, pdy: usize, w: i32): v128 {
  const zero = f32x4.splat(0);
  const dy = loadPartial(pdy, w);
  switch (op) {
    case NEG: return f32x4.neg(dy);
    case RELU: return v128.and(dy, f32x4.gt(loadPartial(px, w), zero));
    case GELU: return f32x4.mul(dy, geluGrad4(loadPartial(px, w)));
    case TANH: {
      const y = loadPartial(py, w);
      return f32x4.mul(dy, f32x4.sub(f32x4.splat(1), f32x4.mul(y, y)));
    }
    case SIGMOID: {
      const y = loadPartial(py, w);
      return f32x4.mul(dy, f32x4.mul(y, f32x4.sub(f32x4.splat(1), y)));
    }
    case EXP: return f32x4.mul(dy, loadPartial(py, w));
    case LOG: return f32x4.div(dy, loadPartial(px, w));
    case SQRT: return f32x4.div(f32x4.mul(dy, f32x4.splat(0.5)), loadPartial(py, w));
    case ABS: {
      const x = loadPartial(px, w);
      const pos = v128.and(dy, f32x4.gt(x, zero));
      const neg = v128.and(f32x4.neg(dy), f32x4.lt(x, zero));
      return v128.or(pos, neg);
    }
    case SQUARE: {
      const x = loadPartial(px, w);
      return f32x4.mul(dy, f32x4.add(x, x));
    }
    case RSQRT: {
      const y = loadPartial(py, w);
      return f32x4.mul(dy, f32x4.mul(f32x4.splat(-0.5), f32x4.mul(y, f32x4.mul(y, y))));
    }
    default: return f32x4.splat(NaN);
  }
}

/** out[n] = f(x[n]) for a constant op. out: [n], x: [n] */
// @ts-ignore: decorator
@inline
function mapForward(op: i32, out: usize, x: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, forward(op, v128.load(x + o)));
  }
  if (i < n) {
    const o = <usize>i << 2;
    storePartial(out + o, forward(op, loadPartial(x + o, n - i)), n - i);
  }
}

/** dx[n] (+)= dy[n] f'(x[n]) for a constant op. dx: [n], x: [n], y: [n], dy: [n] */
// @ts-ignore: decorator
@inline
function mapBackward(op: i32, dx: usize, x: usize, y: usize, dy: usize, n: i32, acc: bool): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    let g = backward(op, x + o, y + o, dy + o, 4);
    if (acc) g = f32x4.add(v128.load(dx + o), g);
    v128.store(dx + o, g);
  }
  if (i < n) {
    const o = <usize>i << 2, w = n - i;
    let g = backward(op, x + o, y + o, dy + o, w);
    if (acc) g = f32x4.add(loadPartial(dx + o, w), g);
    storePartial(dx + o, g, w);
  }
}

// One function per op: each is optimized on its own with the op a constant, so its
// loop holds only that op's code (a shared dispatching loop would switch per vector).
// out, x, y, dx, dy: [n]
function fwdNeg(out: usize, x: usize, n: i32): void { mapForward(NEG, out, x, n); }
function fwdRelu(out: usize, x: usize, n: i32): void { mapForward(RELU, out, x, n); }
function fwdGelu(out: usize, x: usize, n: i32): void { mapForward(GELU, out, x, n); }
function fwdTanh(out: usize, x: usize, n: i32): void { mapForward(TANH, out, x, n); }
function fwdSigmoid(out: usize, x: usize, n: i32): void { mapForward(SIGMOID, out, x, n); }
function fwdExp(out: usize, x: usize, n: i32): void { mapForward(EXP, out, x, n); }
function fwdLog(out: usize, x: usize, n: i32): void { mapForward(LOG, out, x, n); }
function fwdSqrt(out: usize, x: usize, n: i32): void { mapForward(SQRT, out, x, n); }
function fwdAbs(out: usize, x: usize, n: i32): void { mapForward(ABS, out, x, n); }
function fwdSquare(out: usize, x: usize, n: i32): void { mapForward(SQUARE, out, x, n); }
function fwdRsqrt(out: usize, x: usize, n: i32): void { mapForward(RSQRT, out, x, n); }
function bwdNeg(dx: usize, x: usize, y: usize, dy: usize, n: i32, acc: bool): void { mapBackward(NEG, dx, x, y, dy, n, acc); }
function bwdRelu(dx: usize, x: usize, y: usize, dy: usize, n: i32, acc: bool): void { mapBackward(RELU, dx, x, y, dy, n, acc); }
function bwdGelu(dx: usize, x: usize, y: usize, dy: usize, n: i32, acc: bool): void { mapBackward(GELU, dx, x, y, dy, n, acc); }
function bwdTanh(dx: usize, x: usize, y: usize, dy: usize, n: i32, acc: bool): void { mapBackward(TANH, dx, x, y, dy, n, acc); }
function bwdSigmoid(dx: usize, x: usize, y: usize, dy: usize, n: i32, acc: bool): void { mapBackward(SIGMOID, dx, x, y, dy, n, acc); }
function bwdExp(dx: usize, x: usize, y: usize, dy: usize, n: i32, acc: bool): void { mapBackward(EXP, dx, x, y, dy, n, acc); }
function bwdLog(dx: usize, x: usize, y: usize, dy: usize, n: i32, acc: bool): void { mapBackward(LOG, dx, x, y, dy, n, acc); }
function bwdSqrt(dx: usize, x: usize, y: usize, dy: usize, n: i32, acc: bool): void { mapBackward(SQRT, dx, x, y, dy, n, acc); }
function bwdAbs(dx: usize, x: usize, y: usize, dy: usize, n: i32, acc: bool): void { mapBackward(ABS, dx, x, y, dy, n, acc); }
function bwdSquare(dx: usize, x: usize, y: usize, dy: usize, n: i32, acc: bool): void { mapBackward(SQUARE, dx, x, y, dy, n, acc); }
function bwdRsqrt(dx: usize, x: usize, y: usize, dy: usize, n: i32, acc: bool): void { mapBackward(RSQRT, dx, x, y, dy, n, acc); }

/** out[n] = f(x[n]). out: [n], x: [n] */
export function unary(out: usize, x: usize, n: i32, op: i32): void {
  switch (op) {
    case NEG: fwdNeg(out, x, n); break;
    case RELU: fwdRelu(out, x, n); break;
    case GELU: fwdGelu(out, x, n); break;
    case TANH: fwdTanh(out, x, n); break;
    case SIGMOID: fwdSigmoid(out, x, n); break;
    case EXP: fwdExp(out, x, n); break;
    case LOG: fwdLog(out, x, n); break;
    case SQRT: fwdSqrt(out, x, n); break;
    case ABS: fwdAbs(out, x, n); break;
    case SQUARE: fwdSquare(out, x, n); break;
    case RSQRT: fwdRsqrt(out, x, n); break;
    default: unreachable();
  }
}

/**
 * dx[n] (+)= dy[n] * f'(x[n]), with y = f(x) for the ops whose derivative uses it.
 * dx: [n], x: [n], y: [n] (read only by tanh, sigmoid, exp, sqrt, rsqrt), dy: [n]
 */
export function unaryBackward(dx: usize, x: usize, y: usize, dy: usize, n: i32, op: i32, accumulate: i32): void {
  const acc = accumulate != 0;
  switch (op) {
    case NEG: bwdNeg(dx, x, y, dy, n, acc); break;
    case RELU: bwdRelu(dx, x, y, dy, n, acc); break;
    case GELU: bwdGelu(dx, x, y, dy, n, acc); break;
    case TANH: bwdTanh(dx, x, y, dy, n, acc); break;
    case SIGMOID: bwdSigmoid(dx, x, y, dy, n, acc); break;
    case EXP: bwdExp(dx, x, y, dy, n, acc); break;
    case LOG: bwdLog(dx, x, y, dy, n, acc); break;
    case SQRT: bwdSqrt(dx, x, y, dy, n, acc); break;
    case ABS: bwdAbs(dx, x, y, dy, n, acc); break;
    case SQUARE: bwdSquare(dx, x, y, dy, n, acc); break;
    case RSQRT: bwdRsqrt(dx, x, y, dy, n, acc); break;
    default: unreachable();
  }
}
