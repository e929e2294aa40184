// Index-driven kernels: row gather (embedding lookup) and its scatter-add backward,
// and pick (x[r, idx[r]], the target logit of cross-entropy) and its backward.
// Indices are int32 and trusted: the engine rejects out-of-range ones before calling.

import { loadPartial, storePartial } from "./simd";

/**
 * out[t, n, :] = table[t, idx[t*idxStride + n], :]
 * out: [batch, nIdx, D], table: [batch, V, D], idx: i32 [idxStride ? batch : 1, nIdx]
 */
export function gather(out: usize, table: usize, idx: usize, batch: i32, nIdx: i32, V: i32, D: i32, idxStride: i32): void {
  const rowBytes = <usize>D << 2;
  let dst = out;
  for (let t = 0; t < batch; t++) {
    const tt = table + <usize>t * <usize>V * rowBytes;
    const it = idx + ((<usize>t * <usize>idxStride) << 2);
    for (let n = 0; n < nIdx; n++) {
      const row = load<i32>(it + (<usize>n << 2));
      copyRow(dst, tt + <usize>row * rowBytes, D);
      dst += rowBytes;
    }
  }
}

/**
 * dtable[t, idx[t*idxStride + n], :] += dout[t, n, :] (dtable is not cleared; repeated indices add up in order)
 * dtable: [batch, V, D], idx: i32 [idxStride ? batch : 1, nIdx], dout: [batch, nIdx, D]
 */
export function gatherBackward(dtable: usize, idx: usize, dout: usize, batch: i32, nIdx: i32, V: i32, D: i32, idxStride: i32): void {
  const rowBytes = <usize>D << 2;
  let src = dout;
  for (let t = 0; t < batch; t++) {
    const tt = dtable + <usize>t * <usize>V * rowBytes;
    const it = idx + ((<usize>t * <usize>idxStride) << 2);
    for (let n = 0; n < nIdx; n++) {
      const row = load<i32>(it + (<usize>n << 2));
      addRow(tt + <usize>row * rowBytes, src, D);
      src += rowBytes;
    }
  }
}

/** dst[n] = src[n]. dst: [n], src: [n] */
function copyRow(dst: usize, src: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  if (i < n) storePartial(dst + (<usize>i << 2), loadPartial(src + (<usize>i << 2), n - i), n - i);
}

/** dst[n] += src[n]. dst: [n], src: [n] */
function addRow(dst: usize, src: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  if (i < n) {
    const o = <usize>i << 2, w = n - i;
    storePartial(dst + o, f32x4.add(loadPartial(dst + o, w), loadPartial(src + o, w)), w);
  }
}

/** out[r] = x[r, idx[r % idxRows]]. out: [rows], x: [rows, C], idx: i32 [idxRows] */
export function pick(out: usize, x: usize, idx: usize, rows: i32, C: i32, idxRows: i32): void {
  const rowBytes = <usize>C << 2;
  let j = 0;
  for (let r = 0; r < rows; r++) {
    const c = load<i32>(idx + (<usize>j << 2));
    store<f32>(out + (<usize>r << 2), load<f32>(x + <usize>r * rowBytes + (<usize>c << 2)));
    if (++j == idxRows) j = 0;
  }
}

/** dx[r, idx[r % idxRows]] += dy[r] (dx is not cleared). dx: [rows, C], idx: i32 [idxRows], dy: [rows] */
export function pickBackward(dx: usize, idx: usize, dy: usize, rows: i32, C: i32, idxRows: i32): void {
  const rowBytes = <usize>C << 2;
  let j = 0;
  for (let r = 0; r < rows; r++) {
    const c = load<i32>(idx + (<usize>j << 2));
    const at = dx + <usize>r * rowBytes + (<usize>c << 2);
    store<f32>(at, load<f32>(at) + load<f32>(dy + (<usize>r << 2)));
    if (++j == idxRows) j = 0;
  }
}
