// Strided 4-d views: the dimension-collapsing helper shared by binary.ts and the
// strided copy kernel (permute, slice, concat, expand and their backward passes).
//
// collapse() drops size-1 dims and merges adjacent dims that are contiguous in every
// view, so e.g. a contiguous [2,3,4,5] add becomes one inner loop of 120 elements and
// a bias broadcast [B,T,C] + [C] becomes [B*T] rows of C: the inner loop is as long
// as possible, which is where the SIMD paths apply.

import { loadPartial, storePartial } from "./simd";

/** The collapsed view: dims D[4] then strides of three views P[4], Q[4], R[4] (i32, outer first). */
const VIEW: usize = memory.data(64, 16);

// @ts-ignore: decorator
@inline
export function viewDim(k: i32): i32 { return load<i32>(VIEW + (<usize>k << 2)); }
// @ts-ignore: decorator
@inline
export function viewP(k: i32): i32 { return load<i32>(VIEW + 16 + (<usize>k << 2)); }
// @ts-ignore: decorator
@inline
export function viewQ(k: i32): i32 { return load<i32>(VIEW + 32 + (<usize>k << 2)); }
// @ts-ignore: decorator
@inline
export function viewR(k: i32): i32 { return load<i32>(VIEW + 48 + (<usize>k << 2)); }

// @ts-ignore: decorator
@inline
function setSlot(k: i32, d: i32, p: i32, q: i32, r: i32): void {
  const at = VIEW + (<usize>k << 2);
  store<i32>(at, d);
  store<i32>(at, p, 16);
  store<i32>(at, q, 32);
  store<i32>(at, r, 48);
}

/**
 * Collapses the iteration over dims d with three stride sets p, q, r (elements)
 * into VIEW, right-aligned (unused outer dims get size 1, stride 0). Iteration
 * order and every view's element offsets are unchanged. Returns false when some
 * dim is 0 (nothing to do).
 */
export function collapse(
  d0: i32, d1: i32, d2: i32, d3: i32,
  p0: i32, p1: i32, p2: i32, p3: i32,
  q0: i32, q1: i32, q2: i32, q3: i32,
  r0: i32, r1: i32, r2: i32, r3: i32,
): bool {
  if (d0 <= 0 || d1 <= 0 || d2 <= 0 || d3 <= 0) return false;
  setSlot(0, d0, p0, q0, r0);
  setSlot(1, d1, p1, q1, r1);
  setSlot(2, d2, p2, q2, r2);
  setSlot(3, d3, p3, q3, r3);
  let n = 0; // dims kept so far, in slots 4-n..3
  for (let k = 3; k >= 0; k--) {
    const d = viewDim(k);
    if (d == 1) continue;
    const p = viewP(k), q = viewQ(k), r = viewR(k);
    if (n > 0) {
      const j = 4 - n;
      const dj = viewDim(j);
      if (p == viewP(j) * dj && q == viewQ(j) * dj && r == viewR(j) * dj) {
        store<i32>(VIEW + (<usize>j << 2), dj * d);
        continue;
      }
    }
    n++;
    setSlot(4 - n, d, p, q, r);
  }
  for (let j = 0; j < 4 - n; j++) setSlot(j, 1, 0, 0, 0);
  return true;
}

/**
 * Strided copy: out[i.so] (+)= x[i.sx] for i in [d0,d1,d2,d3] (element strides).
 * out: view [d0,d1,d2,d3] with strides so (0 on a dim sums/overwrites over it, in order);
 * x: view [d0,d1,d2,d3] with strides sx (0 = broadcast)
 */
export function copyStrided(
  out: usize, x: usize,
  d0: i32, d1: i32, d2: i32, d3: i32,
  so0: i32, so1: i32, so2: i32, so3: i32,
  sx0: i32, sx1: i32, sx2: i32, sx3: i32,
  accumulate: i32,
): void {
  if (!collapse(d0, d1, d2, d3, so0, so1, so2, so3, sx0, sx1, sx2, sx3, 0, 0, 0, 0)) return;
  const D0 = viewDim(0), D1 = viewDim(1), D2 = viewDim(2), n = viewDim(3);
  const o0 = viewP(0), o1 = viewP(1), o2 = viewP(2), o3 = viewP(3);
  const x0 = viewQ(0), x1 = viewQ(1), x2 = viewQ(2), x3 = viewQ(3);
  const acc = accumulate != 0;
  for (let i0 = 0; i0 < D0; i0++) {
    for (let i1 = 0; i1 < D1; i1++) {
      for (let i2 = 0; i2 < D2; i2++) {
        const po = out + (<usize>(i0 * o0 + i1 * o1 + i2 * o2) << 2);
        const px = x + (<usize>(i0 * x0 + i1 * x1 + i2 * x2) << 2);
        if (o3 == 1 && x3 == 1) copyRow(po, px, n, acc);
        else if (o3 == 1 && x3 == 0) fillRow(po, load<f32>(px), n, acc);
        else copyRowStrided(po, px, n, o3, x3, acc);
      }
    }
  }
}

/** out[n] (+)= x[n]. out: [n], x: [n] */
// @ts-ignore: decorator
@inline
function copyRow(out: usize, x: usize, n: i32, acc: bool): void {
  const n4 = n & ~3;
  let i = 0;
  if (acc) {
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(x + o)));
    }
    if (i < n) {
      const o = <usize>i << 2, w = n - i;
      storePartial(out + o, f32x4.add(loadPartial(out + o, w), loadPartial(x + o, w)), w);
    }
  } else {
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, v128.load(x + o));
    }
    if (i < n) {
      const o = <usize>i << 2, w = n - i;
      storePartial(out + o, loadPartial(x + o, w), w);
    }
  }
}

/** out[n] (+)= v. out: [n] */
// @ts-ignore: decorator
@inline
function fillRow(out: usize, v: f32, n: i32, acc: bool): void {
  const s = f32x4.splat(v);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, acc ? f32x4.add(v128.load(out + o), s) : s);
  }
  if (i < n) {
    const o = <usize>i << 2, w = n - i;
    storePartial(out + o, acc ? f32x4.add(loadPartial(out + o, w), s) : s, w);
  }
}

/** out[i*so] (+)= x[i*sx] for i < n, in order. out: [n] stride so, x: [n] stride sx */
function copyRowStrided(out: usize, x: usize, n: i32, so: i32, sx: i32, acc: bool): void {
  const bo = <usize>so << 2, bx = <usize>sx << 2;
  let po = out, px = x;
  if (acc) {
    for (let i = 0; i < n; i++) {
      store<f32>(po, load<f32>(po) + load<f32>(px));
      po += bo;
      px += bx;
    }
  } else {
    for (let i = 0; i < n; i++) {
      store<f32>(po, load<f32>(px));
      po += bo;
      px += bx;
    }
  }
}
