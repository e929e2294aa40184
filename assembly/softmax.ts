// Log-softmax over the last axis and its backward pass (the cross-entropy path).
// Row max and exp use f32x4 (exp4 of simd.ts); the sums accumulate in f64 and
// the final x - logsumexp is done in f64, so the result matches the float64
// reference to about an ulp even when x is close to the logsumexp.

import { maxRow } from "./reduce";
import { addWide, demote2, exp4, hsum64, laneMask, loadPartial, promoteHi, promoteLo, storePartial } from "./simd";

/** out[rows,C] = x - logsumexp(x) along the last axis. out: [rows, C], x: [rows, C] */
export function logSoftmax(out: usize, x: usize, rows: i32, C: i32): void {
  const rowBytes = <usize>C << 2;
  const c4 = C & ~3;
  for (let r = 0; r < rows; r++) {
    const X = x + <usize>r * rowBytes, Y = out + <usize>r * rowBytes;
    const mx = maxRow(X, C);
    const vm = f32x4.splat(mx);
    let s = f64x2.splat(0);
    let c = 0;
    for (; c < c4; c += 4) s = addWide(s, exp4(f32x4.sub(v128.load(X + (<usize>c << 2)), vm)));
    if (c < C) {
      const e = exp4(f32x4.sub(loadPartial(X + (<usize>c << 2), C - c), vm));
      s = addWide(s, v128.and(e, laneMask(C - c)));
    }
    const lse = <f64>mx + Math.log(hsum64(s));
    const vl = f64x2.splat(lse);
    for (c = 0; c < c4; c += 4) {
      const o = <usize>c << 2;
      const v = v128.load(X + o);
      v128.store(Y + o, demote2(f64x2.sub(promoteLo(v), vl), f64x2.sub(promoteHi(v), vl)));
    }
    for (; c < C; c++) {
      const o = <usize>c << 2;
      store<f32>(Y + o, <f32>(<f64>load<f32>(X + o) - lse));
    }
  }
}

/**
 * dx[rows,C] (+)= dy - exp(y) * sum(dy), where y = logSoftmax(x).
 * dx: [rows, C], y: [rows, C], dy: [rows, C]
 */
export function logSoftmaxBackward(dx: usize, y: usize, dy: usize, rows: i32, C: i32, accumulate: i32): void {
  const acc = accumulate != 0;
  const rowBytes = <usize>C << 2;
  const c4 = C & ~3;
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * rowBytes;
    const Y = y + off, G = dy + off, D = dx + off;
    let s2 = f64x2.splat(0);
    let c = 0;
    for (; c < c4; c += 4) s2 = addWide(s2, v128.load(G + (<usize>c << 2)));
    let s = hsum64(s2);
    for (; c < C; c++) s += <f64>load<f32>(G + (<usize>c << 2));
    const vs = f32x4.splat(<f32>s);
    for (c = 0; c < c4; c += 4) {
      const o = <usize>c << 2;
      let g = f32x4.sub(v128.load(G + o), f32x4.mul(exp4(v128.load(Y + o)), vs));
      if (acc) g = f32x4.add(v128.load(D + o), g);
      v128.store(D + o, g);
    }
    if (c < C) {
      const o = <usize>c << 2, w = C - c;
      let g = f32x4.sub(loadPartial(G + o, w), f32x4.mul(exp4(loadPartial(Y + o, w)), vs));
      if (acc) g = f32x4.add(loadPartial(D + o, w), g);
      storePartial(D + o, g, w);
    }
  }
}
