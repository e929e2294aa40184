// Reductions: sum and max over the middle axis of an [O, R, I] view (and max's
// backward), the float64 sum of squares (gradient norms) and the count of non-finite
// values (overflow checks). With I == 1 the reduced axis is contiguous and is read
// with f32x4 loads; with I > 1 the loop runs f32x4 across the inner axis instead.
// Sums accumulate in f64 (f64x2), like the reference, so long sums keep their digits.

import { addWide, demote2, hsum64, laneMask, loadPartial, promoteHi, promoteLo, storePartial } from "./simd";

/** out[O,I] (+)= sum_r x[O,R,I]. out: [O, I], x: [O, R, I] */
export function reduceSum(out: usize, x: usize, O: i32, R: i32, I: i32, accumulate: i32): void {
  const acc = accumulate != 0;
  const rowBytes = <usize>I << 2;
  for (let o = 0; o < O; o++) {
    const xo = x + <usize>o * <usize>R * rowBytes;
    const po = out + <usize>o * rowBytes;
    if (I == 1) {
      let s = sumRow(xo, R);
      if (acc) s += <f64>load<f32>(po);
      store<f32>(po, <f32>s);
      continue;
    }
    // 8 columns at a time (the last chunk partial): four f64x2 sums down the rows.
    for (let i = 0; i < I; i += 8) {
      const w = min(8, I - i);
      const w0 = min(w, 4), w1 = w - w0;
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
      let p = xo + (<usize>i << 2);
      for (let r = 0; r < R; r++) {
        const v0 = loadPartial(p, w0);
        s0 = f64x2.add(s0, promoteLo(v0));
        s1 = f64x2.add(s1, promoteHi(v0));
        if (w1 > 0) {
          const v1 = loadPartial(p + 16, w1);
          s2 = f64x2.add(s2, promoteLo(v1));
          s3 = f64x2.add(s3, promoteHi(v1));
        }
        p += rowBytes;
      }
      const q = po + (<usize>i << 2);
      if (acc) {
        const c0 = loadPartial(q, w0);
        s0 = f64x2.add(s0, promoteLo(c0));
        s1 = f64x2.add(s1, promoteHi(c0));
        if (w1 > 0) {
          const c1 = loadPartial(q + 16, w1);
          s2 = f64x2.add(s2, promoteLo(c1));
          s3 = f64x2.add(s3, promoteHi(c1));
        }
      }
      storePartial(q, demote2(s0, s1), w0);
      if (w1 > 0) storePartial(q + 16, demote2(s2, s3), w1);
    }
  }
}

/** sum of x[n] in f64. x: [n] */
function sumRow(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  const n8 = n & ~7;
  let i = 0;
  for (; i < n8; i += 8) {
    const p = x + (<usize>i << 2);
    s0 = addWide(s0, v128.load(p));
    s1 = addWide(s1, v128.load(p, 16));
  }
  let s = hsum64(f64x2.add(s0, s1));
  for (; i < n; i++) s += <f64>load<f32>(x + (<usize>i << 2));
  return s;
}

/** out[O,I] = max_r x[O,R,I] (NaN propagates; -Infinity when R == 0). out: [O, I], x: [O, R, I] */
export function reduceMax(out: usize, x: usize, O: i32, R: i32, I: i32): void {
  const rowBytes = <usize>I << 2;
  const ninf = f32x4.splat(-Infinity);
  for (let o = 0; o < O; o++) {
    const xo = x + <usize>o * <usize>R * rowBytes;
    const po = out + <usize>o * rowBytes;
    if (I == 1) {
      store<f32>(po, maxRow(xo, R));
      continue;
    }
    for (let i = 0; i < I; i += 4) {
      const w = min(4, I - i);
      let m = ninf;
      let p = xo + (<usize>i << 2);
      for (let r = 0; r < R; r++) {
        m = f32x4.max(m, loadPartial(p, w));
        p += rowBytes;
      }
      storePartial(po + (<usize>i << 2), m, w);
    }
  }
}

/** max of x[n] (NaN propagates, -Infinity when n == 0). x: [n] */
export function maxRow(x: usize, n: i32): f32 {
  let m0 = f32x4.splat(-Infinity), m1 = m0;
  const n8 = n & ~7;
  let i = 0;
  for (; i < n8; i += 8) {
    const p = x + (<usize>i << 2);
    m0 = f32x4.max(m0, v128.load(p));
    m1 = f32x4.max(m1, v128.load(p, 16));
  }
  m0 = f32x4.max(m0, m1);
  let m = max(max(f32x4.extract_lane(m0, 0), f32x4.extract_lane(m0, 1)), max(f32x4.extract_lane(m0, 2), f32x4.extract_lane(m0, 3)));
  for (; i < n; i++) m = max(m, load<f32>(x + (<usize>i << 2)));
  return m;
}

/**
 * dx[O,R,I] (+)= (x == m[O,I]) ? dy[O,I] / ties : 0, ties = count of r with x == m.
 * dx: [O, R, I], x: [O, R, I], m: [O, I], dy: [O, I]
 */
export function reduceMaxBackward(dx: usize, x: usize, m: usize, dy: usize, O: i32, R: i32, I: i32, accumulate: i32): void {
  const acc = accumulate != 0;
  const rowBytes = <usize>I << 2;
  for (let o = 0; o < O; o++) {
    const off = <usize>o * <usize>R * rowBytes;
    const xo = x + off, dxo = dx + off;
    const mo = m + <usize>o * rowBytes, dyo = dy + <usize>o * rowBytes;
    if (I == 1) {
      maxBackwardRow(dxo, xo, load<f32>(mo), load<f32>(dyo), R, acc);
      continue;
    }
    for (let i = 0; i < I; i += 4) {
      const w = min(4, I - i);
      const col = <usize>i << 2;
      const best = loadPartial(mo + col, w);
      let ties = i32x4.splat(0);
      let p = xo + col;
      for (let r = 0; r < R; r++) {
        ties = i32x4.sub(ties, f32x4.eq(loadPartial(p, w), best)); // mask lanes are -1
        p += rowBytes;
      }
      const share = f32x4.div(loadPartial(dyo + col, w), f32x4.convert_i32x4_s(ties));
      p = xo + col;
      let q = dxo + col;
      for (let r = 0; r < R; r++) {
        let g = v128.and(share, f32x4.eq(loadPartial(p, w), best));
        if (acc) g = f32x4.add(loadPartial(q, w), g);
        storePartial(q, g, w);
        p += rowBytes;
        q += rowBytes;
      }
    }
  }
}

/** dx[n] (+)= (x == best) ? dy / ties : 0 over one contiguous row. dx: [n], x: [n] */
function maxBackwardRow(dx: usize, x: usize, best: f32, dy: f32, n: i32, acc: bool): void {
  const vb = f32x4.splat(best);
  const n4 = n & ~3;
  let ties = i32x4.splat(0);
  let i = 0;
  for (; i < n4; i += 4) ties = i32x4.sub(ties, f32x4.eq(v128.load(x + (<usize>i << 2)), vb));
  if (i < n) {
    const tail = v128.and(f32x4.eq(loadPartial(x + (<usize>i << 2), n - i), vb), laneMask(n - i));
    ties = i32x4.sub(ties, tail);
  }
  const count = (i32x4.extract_lane(ties, 0) + i32x4.extract_lane(ties, 1)) + (i32x4.extract_lane(ties, 2) + i32x4.extract_lane(ties, 3));
  const share = f32x4.splat(dy / <f32>count);
  for (i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    let g = v128.and(share, f32x4.eq(v128.load(x + o), vb));
    if (acc) g = f32x4.add(v128.load(dx + o), g);
    v128.store(dx + o, g);
  }
  if (i < n) {
    const o = <usize>i << 2, w = n - i;
    let g = v128.and(share, f32x4.eq(loadPartial(x + o, w), vb));
    if (acc) g = f32x4.add(loadPartial(dx + o, w), g);
    storePartial(dx + o, g, w);
  }
}

/** sum of x[n]^2 in f64 (each square exact in f64). x: [n] */
export function sumSquares(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  const n8 = n & ~7;
  let i = 0;
  for (; i < n8; i += 8) {
    const p = x + (<usize>i << 2);
    const v0 = v128.load(p), v1 = v128.load(p, 16);
    const a = promoteLo(v0), b = promoteHi(v0), c = promoteLo(v1), d = promoteHi(v1);
    s0 = f64x2.add(s0, f64x2.mul(a, a));
    s1 = f64x2.add(s1, f64x2.mul(b, b));
    s2 = f64x2.add(s2, f64x2.mul(c, c));
    s3 = f64x2.add(s3, f64x2.mul(d, d));
  }
  let s = hsum64(f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3)));
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  return s;
}

/** number of NaN or infinite entries of x[n] (exponent bits all ones). x: [n] */
export function countNonFinite(x: usize, n: i32): i32 {
  const expMask = i32x4.splat(0x7f800000);
  let c = i32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    c = i32x4.sub(c, i32x4.eq(v128.and(v128.load(x + (<usize>i << 2)), expMask), expMask));
  }
  let count = (i32x4.extract_lane(c, 0) + i32x4.extract_lane(c, 1)) + (i32x4.extract_lane(c, 2) + i32x4.extract_lane(c, 3));
  for (; i < n; i++) {
    if ((load<i32>(x + (<usize>i << 2)) & 0x7f800000) == 0x7f800000) count++;
  }
  return count;
}
