// Binary elementwise ops with broadcasting through strides. The op codes match
// BinaryOp in src/engine/kernels/kernels.ts. The 4-d view is first collapsed
// (strided.ts); the inner loop then runs f32x4 when each input's inner stride is 1
// (contiguous) or 0 (broadcast scalar), and scalar for any other stride.

import { collapse, viewDim, viewP, viewQ } from "./strided";
import { loadPartial, storePartial } from "./simd";

export const ADD = 0;
export const SUB = 1;
export const MUL = 2;
export const DIV = 3;
export const EQ = 4;
export const GT = 5;

/** a op b per lane for a constant op. */
// @ts-ignore: decorator
@inline
function opV(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case ADD: return f32x4.add(a, b);
    case SUB: return f32x4.sub(a, b);
    case MUL: return f32x4.mul(a, b);
    case DIV: return f32x4.div(a, b);
    case EQ: return v128.and(f32x4.eq(a, b), f32x4.splat(1));
    case GT: return v128.and(f32x4.gt(a, b), f32x4.splat(1));
    default: return f32x4.splat(NaN);
  }
}

/** a op b for a constant op. */
// @ts-ignore: decorator
@inline
function opS(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case ADD: return a + b;
    case SUB: return a - b;
    case MUL: return a * b;
    case DIV: return a / b;
    case EQ: return a == b ? 1 : 0;
    case GT: return a > b ? 1 : 0;
    default: return NaN;
  }
}

/** Inner-loop shapes, by the inner strides of a and b. */
const UNIT_UNIT = 0; // a[i], b[i]
const UNIT_ZERO = 1; // a[i], b[0]
const ZERO_UNIT = 2; // a[0], b[i]
const ZERO_ZERO = 3; // a[0], b[0]
const STRIDED = 4; // a[i*sa], b[i*sb]

/** out[n] = a[i*sa] op b[i*sb] for a constant op. out: [n], a: [n] stride sa, b: [n] stride sb */
// @ts-ignore: decorator
@inline
function row(op: i32, kind: i32, out: usize, a: usize, b: usize, n: i32, sa: i32, sb: i32): void {
  const n4 = n & ~3;
  let i = 0;
  if (kind == UNIT_UNIT) {
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, opV(op, v128.load(a + o), v128.load(b + o)));
    }
    if (i < n) {
      const o = <usize>i << 2, w = n - i;
      storePartial(out + o, opV(op, loadPartial(a + o, w), loadPartial(b + o, w)), w);
    }
  } else if (kind == UNIT_ZERO) {
    const vb = v128.load32_splat(b);
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, opV(op, v128.load(a + o), vb));
    }
    if (i < n) {
      const o = <usize>i << 2, w = n - i;
      storePartial(out + o, opV(op, loadPartial(a + o, w), vb), w);
    }
  } else if (kind == ZERO_UNIT) {
    const va = v128.load32_splat(a);
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, opV(op, va, v128.load(b + o)));
    }
    if (i < n) {
      const o = <usize>i << 2, w = n - i;
      storePartial(out + o, opV(op, va, loadPartial(b + o, w)), w);
    }
  } else if (kind == ZERO_ZERO) {
    const v = f32x4.splat(opS(op, load<f32>(a), load<f32>(b)));
    for (; i < n4; i += 4) v128.store(out + (<usize>i << 2), v);
    if (i < n) storePartial(out + (<usize>i << 2), v, n - i);
  } else {
    const ba = <usize>sa << 2, bb = <usize>sb << 2;
    let pa = a, pb = b;
    for (; i < n; i++) {
      store<f32>(out + (<usize>i << 2), opS(op, load<f32>(pa), load<f32>(pb)));
      pa += ba;
      pb += bb;
    }
  }
}

/** The collapsed loop nest (view from strided.ts) for a constant op. out: contiguous [D0, D1, D2, n] */
// @ts-ignore: decorator
@inline
function nest(op: i32, out: usize, a: usize, b: usize, kind: i32): void {
  const D0 = viewDim(0), D1 = viewDim(1), D2 = viewDim(2), n = viewDim(3);
  const a0 = viewP(0), a1 = viewP(1), a2 = viewP(2), a3 = viewP(3);
  const b0 = viewQ(0), b1 = viewQ(1), b2 = viewQ(2), b3 = viewQ(3);
  let po = out;
  const rowBytes = <usize>n << 2;
  for (let i0 = 0; i0 < D0; i0++) {
    for (let i1 = 0; i1 < D1; i1++) {
      for (let i2 = 0; i2 < D2; i2++) {
        const pa = a + (<usize>(i0 * a0 + i1 * a1 + i2 * a2) << 2);
        const pb = b + (<usize>(i0 * b0 + i1 * b1 + i2 * b2) << 2);
        row(op, kind, po, pa, pb, n, a3, b3);
        po += rowBytes;
      }
    }
  }
}

// One function per op, each optimized with its op a constant (see unary.ts).
// out: [D0, D1, D2, n] contiguous; a, b: views with the collapsed strides of strided.ts
function binAdd(out: usize, a: usize, b: usize, kind: i32): void { nest(ADD, out, a, b, kind); }
function binSub(out: usize, a: usize, b: usize, kind: i32): void { nest(SUB, out, a, b, kind); }
function binMul(out: usize, a: usize, b: usize, kind: i32): void { nest(MUL, out, a, b, kind); }
function binDiv(out: usize, a: usize, b: usize, kind: i32): void { nest(DIV, out, a, b, kind); }
function binEq(out: usize, a: usize, b: usize, kind: i32): void { nest(EQ, out, a, b, kind); }
function binGt(out: usize, a: usize, b: usize, kind: i32): void { nest(GT, out, a, b, kind); }

/**
 * out[i0,i1,i2,i3] = a[i.sa] op b[i.sb] (strides in elements, 0 = broadcast).
 * out: [d0, d1, d2, d3] contiguous; a: view [d0..d3] strides sa; b: view [d0..d3] strides sb
 */
export function binary(
  out: usize, a: usize, b: usize,
  d0: i32, d1: i32, d2: i32, d3: i32,
  sa0: i32, sa1: i32, sa2: i32, sa3: i32,
  sb0: i32, sb1: i32, sb2: i32, sb3: i32,
  op: i32,
): void {
  // The out strides take part in collapsing so that rows stay contiguous in out.
  if (!collapse(d0, d1, d2, d3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3, d1 * d2 * d3, d2 * d3, d3, 1)) return;
  const sa = viewP(3), sb = viewQ(3);
  const kind = sa == 1
    ? (sb == 1 ? UNIT_UNIT : sb == 0 ? UNIT_ZERO : STRIDED)
    : sa == 0
      ? (sb == 1 ? ZERO_UNIT : sb == 0 ? ZERO_ZERO : STRIDED)
      : STRIDED;
  switch (op) {
    case ADD: binAdd(out, a, b, kind); break;
    case SUB: binSub(out, a, b, kind); break;
    case MUL: binMul(out, a, b, kind); break;
    case DIV: binDiv(out, a, b, kind); break;
    case EQ: binEq(out, a, b, kind); break;
    case GT: binGt(out, a, b, kind); break;
    default: unreachable();
  }
}
