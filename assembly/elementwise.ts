// Simple elementwise kernels over contiguous f32 buffers: fill, affine, clamp and
// its backward, where. Each runs f32x4 over the body and a lane-partial vector step
// over the last n % 4 elements. Scalar arguments arrive as f64 (JS numbers) and
// are rounded to f32 once.

import { demote2, loadPartial, promoteHi, promoteLo, storePartial } from "./simd";

/** out[n] = value. out: [n] */
export function fill(out: usize, value: f64, n: i32): void {
  const v = f32x4.splat(<f32>value);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) v128.store(out + (<usize>i << 2), v);
  if (i < n) storePartial(out + (<usize>i << 2), v, n - i);
}

/**
 * out[n] = alpha * x[n] + beta, computed in f64 and rounded once, like the reference
 * (no cancellation error when alpha * x is close to -beta). out: [n], x: [n]
 */
export function affine(out: usize, x: usize, n: i32, alpha: f64, beta: f64): void {
  const va = f64x2.splat(alpha), vb = f64x2.splat(beta);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(out + o, demote2(
      f64x2.add(f64x2.mul(va, promoteLo(v)), vb),
      f64x2.add(f64x2.mul(va, promoteHi(v)), vb)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, <f32>(alpha * <f64>load<f32>(x + o) + beta));
  }
}

/** The smallest f32 >= v (v finite or infinite, not NaN). */
function f32AtLeast(v: f64): f32 {
  let f = <f32>v;
  if (<f64>f < v) f = reinterpret<f32>(f >= 0 ? reinterpret<i32>(f) + 1 : reinterpret<i32>(f) - 1);
  return f;
}

/** The largest f32 <= v. */
function f32AtMost(v: f64): f32 {
  return -f32AtLeast(-v);
}

/** out[n] = min(max(x[n], lo), hi) (NaN stays NaN). out: [n], x: [n] */
export function clamp(out: usize, x: usize, n: i32, lo: f64, hi: f64): void {
  // For an f32 x, rounding max(x, lo) to f32 equals max(x, f32(lo)), so f32 bounds suffice.
  const vl = f32x4.splat(<f32>lo), vh = f32x4.splat(<f32>hi);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.min(f32x4.max(v128.load(x + o), vl), vh));
  }
  if (i < n) {
    const o = <usize>i << 2;
    storePartial(out + o, f32x4.min(f32x4.max(loadPartial(x + o, n - i), vl), vh), n - i);
  }
}

/** dx[n] (+)= (lo <= x[n] <= hi) ? dy[n] : 0. dx: [n], x: [n], dy: [n] */
export function clampBackward(dx: usize, x: usize, dy: usize, n: i32, lo: f64, hi: f64, accumulate: i32): void {
  // lo <= x  <=>  f32AtLeast(lo) <= x for f32 x (exact even when lo is not an f32).
  const vl = f32x4.splat(lo != lo ? <f32>NaN : f32AtLeast(lo));
  const vh = f32x4.splat(hi != hi ? <f32>NaN : f32AtMost(hi));
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    let g = v128.and(v128.load(dy + o), v128.and(f32x4.ge(v, vl), f32x4.le(v, vh)));
    if (accumulate) g = f32x4.add(v128.load(dx + o), g);
    v128.store(dx + o, g);
  }
  if (i < n) {
    const o = <usize>i << 2, w = n - i;
    const v = loadPartial(x + o, w);
    let g = v128.and(loadPartial(dy + o, w), v128.and(f32x4.ge(v, vl), f32x4.le(v, vh)));
    if (accumulate) g = f32x4.add(loadPartial(dx + o, w), g);
    storePartial(dx + o, g, w);
  }
}

/** out[n] = cond[n] != 0 ? a[n] : b[n]. out: [n], cond: [n], a: [n], b: [n] */
export function where(out: usize, cond: usize, a: usize, b: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const m = f32x4.ne(v128.load(cond + o), zero);
    v128.store(out + o, v128.bitselect(v128.load(a + o), v128.load(b + o), m));
  }
  if (i < n) {
    const o = <usize>i << 2, w = n - i;
    const m = f32x4.ne(loadPartial(cond + o, w), zero);
    storePartial(out + o, v128.bitselect(loadPartial(a + o, w), loadPartial(b + o, w), m), w);
  }
}
