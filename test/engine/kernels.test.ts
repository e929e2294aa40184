// The WASM-SIMD kernels against the TypeScript reference kernels, on one Heap.
//
// Every case runs both backends on the same random inputs, in fresh buffers that are
// framed by canaries: a kernel must not write outside its outputs (the canaries and
// the inputs must come back untouched), and the buffers' odd lengths exercise the
// SIMD tails. A second set of cases places one buffer flush against the end of the
// linear memory, so a read past a buffer's logical end traps.
//
// Tolerances. Kernels whose float32 arithmetic is exactly what the reference rounds
// to (add/sub/mul/div/compare of two floats, copies, max, affine done in f64, ...)
// must match bit for bit. Sums (matmul, softmax) differ by float32 rounding in the
// order of summation, so they are compared relative to the magnitude of the terms.
// Transcendentals (exp, log, tanh, sigmoid, gelu) use float32 polynomial
// approximations in WASM against float64 Math in the reference. Measured over dense
// grids they stay within 2e-7 relative (exp, log, tanh, sigmoid) and 5.2e-7 (gelu,
// whose erfc fit is itself only good to 1.2e-7), so they are checked at 3e-7 (log),
// 5e-7 and 1e-6 (gelu) relative. The absolute floors cover denormal results and the
// reference's own cancellation in 1 + erf(x) for x << 0 (absolute error ~1e-16).

import { test } from "node:test";
import assert from "node:assert/strict";
import { Heap } from "../../src/engine/heap.js";
import { BinaryOp, UnaryOp, type Dims4, type Kernels } from "../../src/engine/kernels/kernels.js";
import { referenceKernels, unaryForward } from "../../src/engine/kernels/reference.js";
import { loadWasmKernels } from "../../src/engine/kernels/wasm.js";

const F = 4;
const heap = new Heap();
const wasm = loadWasmKernels(heap);
const ref = referenceKernels(heap);

const SIZES = [1, 3, 5, 7, 13, 17, 31, 33, 64, 100];

// ---------- random inputs ----------

let seed = 0x9e3779b9;
function rand(): number {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function uniform(n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rand();
  return a;
}
/** Values from a small set, so that equalities and ties occur. */
function coarse(n: number, levels = 5): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.floor(rand() * levels) - Math.floor(levels / 2);
  return a;
}
function ints(n: number, lo: number, hi: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + Math.floor(rand() * (hi - lo));
  return a;
}
function pick<T>(xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

// ---------- running a kernel on both backends ----------

type Data = Float32Array | Int32Array;
const GUARD = 16; // floats of canary before and after every buffer
const CANARY = -12345.6789;

/**
 * Copies `data` into fresh canary-framed buffers, calls `call` with their byte
 * pointers, checks the canaries and that buffers not listed in `outs` are unchanged,
 * and returns the contents of every buffer afterwards (plus the call's result).
 */
function run(k: Kernels, data: Data[], outs: number[], call: (p: number[]) => number | void): { bufs: Data[]; ret: number | void } {
  const bases = data.map((d) => heap.alloc((d.length + 2 * GUARD) * F));
  const ptrs = bases.map((b) => b + GUARD * F);
  try {
    data.forEach((d, i) => {
      const at = ptrs[i]! / F;
      heap.f32.fill(CANARY, at - GUARD, at);
      heap.f32.fill(CANARY, at + d.length, at + d.length + GUARD);
      if (d instanceof Int32Array) heap.i32.set(d, at);
      else heap.f32.set(d, at);
    });
    const ret = call(ptrs);
    const bufs = data.map((d, i) => {
      const at = ptrs[i]! / F;
      for (let g = 1; g <= GUARD; g++) {
        assert.equal(heap.f32[at - g], Math.fround(CANARY), `${k.name}: buffer ${i} written before its start`);
        assert.equal(heap.f32[at + d.length + g - 1], Math.fround(CANARY), `${k.name}: buffer ${i} written past its end (length ${d.length})`);
      }
      return d instanceof Int32Array ? heap.i32.slice(at, at + d.length) : heap.f32.slice(at, at + d.length);
    });
    bufs.forEach((b, i) => {
      if (!outs.includes(i)) assert.deepEqual(b, data[i], `${k.name}: input buffer ${i} was modified`);
    });
    return { bufs, ret };
  } finally {
    for (const b of bases) heap.release(b);
  }
}

interface Tol {
  /** relative tolerance */
  rtol?: number;
  /** absolute tolerance */
  atol?: number;
  /** per-element magnitude the relative tolerance applies to (default |expected|) */
  scale?: Float32Array | Float64Array;
}

/** |actual - expected| <= atol + rtol * scale elementwise; NaN must match NaN, infinities must match exactly. */
function close(actual: Data | Float64Array, expected: Data | Float64Array, tol: Tol, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const rtol = tol.rtol ?? 0, atol = tol.atol ?? 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (!(Number.isNaN(e) && Number.isNaN(a))) assert.fail(`${what}[${i}]: got ${a}, expected ${e}`);
      continue;
    }
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a !== e) assert.fail(`${what}[${i}]: got ${a}, expected ${e}`);
      continue;
    }
    const s = tol.scale ? tol.scale[i]! : Math.abs(e);
    const err = Math.abs(a - e);
    if (!(err <= atol + rtol * s)) {
      assert.fail(`${what}[${i}]: got ${a}, expected ${e} (error ${err.toExponential(3)}, allowed ${(atol + rtol * s).toExponential(3)})`);
    }
  }
}

/** Runs both backends and compares the buffers listed in `outs` (and the return value); `scratch` buffers may change. */
function compare(what: string, data: Data[], outs: number[], call: (k: Kernels, p: number[]) => number | void, tol: Tol = {},
  scratch: number[] = []): void {
  const r = run(ref, data, [...outs, ...scratch], (p) => call(ref, p));
  const w = run(wasm, data, [...outs, ...scratch], (p) => call(wasm, p));
  for (const i of outs) close(w.bufs[i]!, r.bufs[i]!, tol, `${what} buffer ${i}`);
  if (typeof r.ret === "number") close(Float64Array.of(w.ret as number), Float64Array.of(r.ret), tol, `${what} result`);
}

const bit = (b: boolean) => (b ? 1 : 0);

// ---------- tests ----------

test("wasm kernels load, with static data inside the reserved first page", () => {
  assert.equal(wasm.name, "wasm");
  const again = loadWasmKernels(heap); // a second instance on the same memory is fine
  assert.equal(again.name, "wasm");
  // unknown op codes are rejected like the reference does (not a trap inside the module)
  const p = heap.alloc(64);
  assert.throws(() => wasm.unary(p, p, 1, 11), /unknown op code 11/);
  assert.throws(() => wasm.unaryBackward(p, p, p, p, 1, -1, 0), /unknown op code -1/);
  assert.throws(() => wasm.binary(p, p, p, [1, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0], 6), /unknown op code 6/);
  heap.release(p);
});

test("fill", () => {
  for (const n of [0, ...SIZES]) {
    const v = Math.fround(rand() * 10 - 5);
    compare(`fill n=${n}`, [uniform(n)], [0], (k, [o]) => k.fill(o!, v, n));
    compare(`fill n=${n} 0.1`, [uniform(n)], [0], (k, [o]) => k.fill(o!, 0.1, n));
  }
});

/** Per-element magnitude bound of out (+)= op(a) @ op(b): |out0| (when accumulating) + sum_t sum_k |a||b|. */
function matmulScale(a: Float32Array, b: Float32Array, out0: Float32Array, batch: number, sA: number, sB: number, sO: number,
  M: number, K: number, N: number, tA: boolean, tB: boolean, acc: boolean): Float64Array {
  const s = new Float64Array(out0.length);
  if (acc) for (let i = 0; i < s.length; i++) s[i] = Math.abs(out0[i]!);
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let v = 0;
        for (let k = 0; k < K; k++) {
          const av = tA ? a[t * sA + k * M + i]! : a[t * sA + i * K + k]!;
          const bv = tB ? b[t * sB + j * K + k]! : b[t * sB + k * N + j]!;
          v += Math.abs(av * bv);
        }
        const o = t * sO + i * N + j;
        s[o] = s[o]! + v;
      }
  return s;
}

function matmulCase(batch: number, M: number, K: number, N: number, tA: boolean, tB: boolean, acc: boolean,
  bcast: "none" | "a" | "b" | "out"): void {
  const sA = bcast === "a" ? 0 : M * K, sB = bcast === "b" ? 0 : K * N, sO = bcast === "out" ? 0 : M * N;
  const a = uniform(Math.max(1, sA * (batch - 1) + M * K));
  const b = uniform(Math.max(1, sB * (batch - 1) + K * N));
  const out = uniform(Math.max(1, sO * (batch - 1) + M * N));
  const scratch = new Float32Array(Math.max(1, K * N));
  const scale = matmulScale(a, b, out, batch, sA, sB, sO, M, K, N, tA, tB, acc);
  compare(`matmul batch=${batch} ${M}x${K}x${N} tA=${tA} tB=${tB} acc=${acc} bcast=${bcast}`,
    [out, a, b, scratch], [0],
    (k, [o, pa, pb, ps]) => k.matmul(o!, pa!, pb!, ps!, batch, sA, sB, sO, M, K, N, bit(tA), bit(tB), bit(acc)),
    { rtol: 1e-5, atol: 1e-7, scale }, tB ? [3] : []); // scratch may only be written when transB
}

test("matmul: every size in {1..100} as M, K and N, all transposes, accumulate", () => {
  for (const M of SIZES)
    for (const tA of [false, true])
      for (const tB of [false, true]) {
        const K = pick(SIZES), N = pick(SIZES);
        matmulCase(1, M, K, N, tA, tB, rand() < 0.5, "none");
        matmulCase(1, K, M, N, tA, tB, rand() < 0.5, "none");
        matmulCase(1, N, K, M, tA, tB, rand() < 0.5, "none");
      }
});

test("matmul: narrow outputs, k and row blocking, K = 0", () => {
  for (const tA of [false, true])
    for (const tB of [false, true])
      for (const acc of [false, true]) {
        for (const N of [1, 2, 3]) for (const K of [1, 7, 8, 9, 33]) matmulCase(1, 13, K, N, tA, tB, acc, "none");
        matmulCase(1, 130, 300, 9, tA, tB, acc, "none"); // > one k-block (256) and one row block (128)
        matmulCase(1, 5, 520, 17, tA, tB, acc, "none");
        for (const N of [1, 2, 3]) matmulCase(1, 5, 1100, N, tA, tB, acc, "none"); // narrow, K in chunks
        matmulCase(1, 6, 0, 5, tA, tB, acc, "none");
      }
});

test("matmul: batches, broadcast a or b (stride 0), sum over the batch (out stride 0)", () => {
  for (const bcast of ["none", "a", "b", "out"] as const)
    for (const tA of [false, true])
      for (const tB of [false, true])
        for (const acc of [false, true]) {
          matmulCase(3, pick(SIZES.slice(0, 8)), pick(SIZES.slice(0, 8)), pick(SIZES.slice(0, 8)), tA, tB, acc, bcast);
          matmulCase(2, 9, 12, 2, tA, tB, acc, bcast);
        }
});

test("matmul: larger square shapes", () => {
  for (const n of [64, 100])
    for (const tA of [false, true]) for (const tB of [false, true]) matmulCase(1, n, n, n, tA, tB, false, "none");
});

// binary: a view is built from a "reduced" shape where some dims are broadcast (size 1, stride 0).
function contiguousStrides(d: readonly number[]): number[] {
  const s = [0, 0, 0, 0];
  let acc = 1;
  for (let i = 3; i >= 0; i--) {
    s[i] = d[i] === 1 ? 0 : acc;
    acc *= d[i]!;
  }
  return s;
}

/** A random view of dims d: each dim broadcast with probability pB, optionally with a permuted memory layout. */
function randomView(d: Dims4, pB: number, permute: boolean): { len: number; strides: Dims4 } {
  const kept = d.map((x) => (rand() < pB ? 1 : x));
  let order = [0, 1, 2, 3];
  if (permute) order = order.sort(() => rand() - 0.5);
  // lay the kept dims out in `order` (outer to inner)
  const strides = [0, 0, 0, 0];
  let acc = 1;
  for (let j = 3; j >= 0; j--) {
    const dim = order[j]!;
    strides[dim] = kept[dim] === 1 ? 0 : acc;
    acc *= kept[dim]!;
  }
  return { len: acc, strides: strides as unknown as Dims4 };
}

test("binary: every op, contiguous, broadcast and permuted strides", () => {
  const shapes: Dims4[] = [
    [1, 1, 1, 1], [1, 1, 1, 7], [1, 1, 13, 17], [2, 3, 5, 7], [3, 1, 31, 33], [1, 2, 64, 1], [2, 5, 1, 100], [1, 1, 100, 64],
  ];
  for (const op of Object.values(BinaryOp))
    for (const d of shapes)
      for (let rep = 0; rep < 6; rep++) {
        const pB = rep === 0 ? 0 : 0.4;
        const va = randomView(d, pB, rep >= 4), vb = randomView(d, pB, rep === 5);
        const n = d[0] * d[1] * d[2] * d[3];
        const gen = op === BinaryOp.eq || op === BinaryOp.gt ? coarse : uniform;
        const a = gen(va.len), b = gen(vb.len);
        compare(`binary op=${op} d=${d} sa=${va.strides} sb=${vb.strides}`, [new Float32Array(n), a, b], [0],
          (k, [o, pa, pb]) => k.binary(o!, pa!, pb!, d, va.strides, vb.strides, op));
      }
  // explicit broadcast patterns: bias over rows, column over rows, scalar
  const d: Dims4 = [1, 1, 33, 17];
  const cases: [Dims4, Dims4, number, number][] = [
    [[0, 0, 17, 1], [0, 0, 0, 1], 33 * 17, 17],
    [[0, 0, 17, 1], [0, 0, 1, 0], 33 * 17, 33],
    [[0, 0, 0, 0], [0, 0, 17, 1], 1, 33 * 17],
    [[0, 0, 0, 0], [0, 0, 0, 0], 1, 1],
    [[0, 0, 1, 33], [0, 0, 17, 1], 33 * 17, 33 * 17],
  ];
  for (const op of Object.values(BinaryOp))
    for (const [sa, sb, la, lb] of cases)
      compare(`binary op=${op} sa=${sa} sb=${sb}`, [new Float32Array(33 * 17), coarse(la), uniform(lb)], [0],
        (k, [o, pa, pb]) => k.binary(o!, pa!, pb!, d, sa, sb, op));
  // division by zero and NaN / infinity operands
  const specials = Float32Array.of(0, -0, 1, -1, Infinity, -Infinity, NaN, 3.5, 1e-30, -7);
  for (const op of Object.values(BinaryOp)) {
    const n = specials.length * specials.length;
    const a = new Float32Array(n), b = new Float32Array(n);
    for (let i = 0; i < n; i++) { a[i] = specials[i % specials.length]!; b[i] = specials[Math.floor(i / specials.length)]!; }
    compare(`binary op=${op} specials`, [new Float32Array(n), a, b], [0],
      (k, [o, pa, pb]) => k.binary(o!, pa!, pb!, [1, 1, 1, n], [0, 0, 0, 1], [0, 0, 0, 1], op));
  }
});

/** Inputs for a unary op: its domain, plus special values. */
function unaryInput(op: number, n: number): Float32Array {
  const positive = op === UnaryOp.log || op === UnaryOp.sqrt || op === UnaryOp.rsqrt;
  const x = op === UnaryOp.exp ? uniform(n, -30, 30) : positive ? uniform(n, 1e-3, 50) : uniform(n, -8, 8);
  const specials = [0, -0, NaN, Infinity, -Infinity, 100, -100, 1e-20, -1e-20, 0.5, -0.5, 88, 89, -87, -104, 20, -20];
  for (let i = 0; i < n; i += 5) x[i] = pick(specials);
  return x;
}

const TRANSCENDENTAL: Record<number, Tol> = {
  [UnaryOp.gelu]: { rtol: 1e-6, atol: 1e-14 },
  [UnaryOp.tanh]: { rtol: 5e-7, atol: 3e-45 }, // atol: two steps of the denormal grid
  [UnaryOp.sigmoid]: { rtol: 5e-7, atol: 3e-45 },
  [UnaryOp.exp]: { rtol: 5e-7, atol: 3e-45 },
  [UnaryOp.log]: { rtol: 3e-7, atol: 1e-30 },
  [UnaryOp.rsqrt]: { rtol: 1.2e-7 },
};

test("unary: every op code", () => {
  for (const [name, op] of Object.entries(UnaryOp))
    for (const n of [0, ...SIZES, 1000]) {
      compare(`unary ${name} n=${n}`, [new Float32Array(n), unaryInput(op, n)], [0],
        (k, [o, x]) => k.unary(o!, x!, n, op), TRANSCENDENTAL[op] ?? {});
    }
});

test("unaryBackward: every op code, accumulate", () => {
  for (const [name, op] of Object.entries(UnaryOp))
    for (const n of [0, ...SIZES, 1000])
      for (const acc of [0, 1]) {
        const x = op === UnaryOp.log || op === UnaryOp.sqrt || op === UnaryOp.rsqrt ? uniform(n, 1e-2, 50) : uniform(n, -8, 8);
        const y = x.map((v) => unaryForward(op, v));
        const dy = uniform(n), dx = uniform(n);
        // dx (+)= dy * f'(x), relative to the magnitude of the terms of f' (cancellation inside f' allowed for)
        const scale = new Float64Array(n);
        for (let i = 0; i < n; i++) scale[i] = Math.abs(dy[i]!) * derivBound(op, x[i]!, y[i]!) + acc * Math.abs(dx[i]!);
        const tol: Tol = op === UnaryOp.gelu ? { rtol: 1e-6, atol: 1e-14, scale } : { rtol: 4e-7, atol: 1e-30, scale };
        compare(`unaryBackward ${name} n=${n} acc=${acc}`, [dx, x, Float32Array.from(y), dy], [0],
          (k, [pdx, px, py, pdy]) => k.unaryBackward(pdx!, px!, py!, pdy!, n, op, acc), tol);
      }
});

/** Rough erf (|error| < 1.5e-7), for tolerance scales only. */
function erfApprox(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
/** A bound on |f'(x)| made of the magnitudes of its terms (so cancellation inside f' is allowed for). */
function derivBound(op: number, x: number, y: number): number {
  switch (op) {
    case UnaryOp.tanh: return 1 + y * y;
    case UnaryOp.sigmoid: return Math.abs(y) * (1 + Math.abs(y));
    case UnaryOp.exp: return Math.abs(y);
    case UnaryOp.sqrt: return 0.5 / Math.abs(y);
    case UnaryOp.square: return 2 * Math.abs(x);
    case UnaryOp.rsqrt: return 0.5 * Math.abs(y * y * y);
    case UnaryOp.log: return 1 / Math.abs(x);
    case UnaryOp.gelu: return 0.5 * (1 + erfApprox(x / Math.SQRT2)) + Math.abs(x) * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    default: return 1;
  }
}

test("affine", () => {
  for (const n of [0, ...SIZES, 1000]) {
    const alpha = rand() * 4 - 2, beta = rand() * 4 - 2;
    compare(`affine n=${n}`, [new Float32Array(n), uniform(n, -3, 3)], [0], (k, [o, x]) => k.affine(o!, x!, n, alpha, beta));
    compare(`affine n=${n} 1-x`, [new Float32Array(n), uniform(n)], [0], (k, [o, x]) => k.affine(o!, x!, n, -1, 1));
  }
});

test("clamp and clampBackward, including bounds that are not float32", () => {
  const bounds: [number, number][] = [[-0.5, 0.5], [0.1, 0.3], [-0.30000001, 0.7], [0, Infinity], [-Infinity, 0.25], [1, 1]];
  for (const n of [0, ...SIZES])
    for (const [lo, hi] of bounds) {
      const x = coarse(n, 9).map((v) => v / 8);
      for (let i = 0; i < n; i += 3) x[i] = pick([Math.fround(lo), Math.fround(hi), NaN, rand() - 0.5, -0, 0]);
      compare(`clamp n=${n} [${lo},${hi}]`, [new Float32Array(n), x], [0], (k, [o, px]) => k.clamp(o!, px!, n, lo, hi));
      for (const acc of [0, 1])
        compare(`clampBackward n=${n} [${lo},${hi}] acc=${acc}`, [uniform(n), x, uniform(n)], [0],
          (k, [dx, px, dy]) => k.clampBackward(dx!, px!, dy!, n, lo, hi, acc));
    }
});

test("where", () => {
  for (const n of [0, ...SIZES]) {
    const cond = coarse(n, 3);
    for (let i = 0; i < n; i += 4) cond[i] = pick([0, -0, NaN, 1e-30]);
    compare(`where n=${n}`, [new Float32Array(n), cond, uniform(n), uniform(n)], [0],
      (k, [o, c, a, b]) => k.where(o!, c!, a!, b!, n));
  }
});

test("reduceSum, reduceMax, reduceMaxBackward over [O, R, I]", () => {
  const dims = [1, 3, 7, 13, 33, 100];
  for (const O of [1, 3])
    for (const R of dims)
      for (const I of dims) {
        const x = uniform(O * R * I);
        const scale = new Float64Array(O * I);
        const out0 = uniform(O * I);
        for (const acc of [0, 1]) {
          for (let o = 0; o < O; o++)
            for (let i = 0; i < I; i++) {
              let s = acc * Math.abs(out0[o * I + i]!);
              for (let r = 0; r < R; r++) s += Math.abs(x[(o * R + r) * I + i]!);
              scale[o * I + i] = s;
            }
          // both accumulate in f64: at most an ulp apart after rounding
          compare(`reduceSum ${O}x${R}x${I} acc=${acc}`, [out0, x], [0],
            (k, [po, px]) => k.reduceSum(po!, px!, O, R, I, acc), { rtol: 1.2e-7, atol: 1e-12 * R, scale });
        }
        const xc = coarse(O * R * I, 4); // ties
        for (const xx of [x, xc]) {
          compare(`reduceMax ${O}x${R}x${I}`, [new Float32Array(O * I), xx], [0], (k, [po, px]) => k.reduceMax(po!, px!, O, R, I));
          const m = new Float32Array(O * I);
          for (let o = 0; o < O; o++)
            for (let i = 0; i < I; i++) {
              let best = -Infinity;
              for (let r = 0; r < R; r++) best = Math.max(best, xx[(o * R + r) * I + i]!);
              m[o * I + i] = best;
            }
          // exact without accumulation; accumulating adds the f64 share (reference) or its f32 rounding (wasm):
          // an ulp of the terms (|dx| + |dy| bounds them)
          for (const acc of [0, 1]) {
            const dx = uniform(O * R * I), dy = uniform(O * I);
            const scale = new Float64Array(O * R * I);
            for (let j = 0; j < scale.length; j++) scale[j] = Math.abs(dx[j]!) + Math.abs(dy[Math.floor(j / (R * I)) * I + (j % I)]!);
            compare(`reduceMaxBackward ${O}x${R}x${I} acc=${acc}`, [dx, xx, m, dy], [0],
              (k, [pdx, px, pm, pdy]) => k.reduceMaxBackward(pdx!, px!, pm!, pdy!, O, R, I, acc), { rtol: acc ? 1.2e-7 : 0, scale });
          }
        }
      }
  // NaN propagates through max, and R = 0 gives -Infinity
  const xn = uniform(3 * 5 * 7);
  xn[17] = NaN;
  xn[40] = Infinity;
  compare("reduceMax NaN", [new Float32Array(3 * 7), xn], [0], (k, [po, px]) => k.reduceMax(po!, px!, 3, 5, 7));
  compare("reduceMax NaN rows", [new Float32Array(3 * 35), xn], [0], (k, [po, px]) => k.reduceMax(po!, px!, 3 * 35, 1, 1));
  compare("reduceMax R=0", [uniform(6)], [0], (k, [po]) => k.reduceMax(po!, po!, 2, 0, 3));
  compare("reduceSum R=0", [uniform(6)], [0], (k, [po]) => k.reduceSum(po!, po!, 2, 0, 3, 0));
});

test("copyStrided: permute, slice, expand, expand backward (accumulate into stride 0)", () => {
  for (let rep = 0; rep < 60; rep++) {
    const d: Dims4 = [pick([1, 2, 3]), pick([1, 3, 5]), pick(SIZES.slice(0, 7)), pick(SIZES)];
    const n = d[0] * d[1] * d[2] * d[3];
    const acc = rep % 2;
    // x: a permuted, possibly broadcast view; out: contiguous
    const vx = randomView(d, rep % 3 === 0 ? 0.4 : 0, rep % 4 >= 2);
    compare(`copyStrided d=${d} sx=${vx.strides} acc=${acc}`, [uniform(n), uniform(vx.len)], [0],
      (k, [po, px]) => k.copyStrided(po!, px!, d, contiguousStrides(d) as unknown as Dims4, vx.strides, acc));
    // out: a permuted view (the backward of a permute), or with stride 0 dims (backward of expand: sums)
    const vo = randomView(d, rep % 3 === 1 ? 0.5 : 0, true);
    const accO = vo.len < n ? 1 : acc;
    compare(`copyStrided d=${d} so=${vo.strides} acc=${accO}`, [uniform(vo.len), uniform(n)], [0],
      (k, [po, px]) => k.copyStrided(po!, px!, d, vo.strides, contiguousStrides(d) as unknown as Dims4, accO),
      { rtol: 0 });
  }
  // slice of a row-major [7, 13] matrix: columns 3..10 of rows 2..6, into a [5, 7] block
  compare("copyStrided slice", [new Float32Array(35), uniform(7 * 13)], [0],
    (k, [po, px]) => k.copyStrided(po!, px! + (2 * 13 + 3) * F, [1, 1, 5, 7], [0, 0, 7, 1], [0, 0, 13, 1], 0));
  // concat backward / forward: write a [5, 3] block into columns 4..6 of a [5, 9] matrix
  compare("copyStrided concat", [uniform(45), uniform(15)], [0],
    (k, [po, px]) => k.copyStrided(po! + 4 * F, px!, [1, 1, 5, 3], [0, 0, 9, 1], [0, 0, 3, 1], 0));
});

test("logSoftmax and logSoftmaxBackward", () => {
  for (const rows of [1, 3, 17])
    for (const C of [...SIZES, 1000]) {
      const x = uniform(rows * C, -10, 10);
      if (rows > 1) for (let c = 0; c < C; c++) x[C + c] = 30 + c * 1e-3; // a nearly flat row of large values
      // x - lse: both in f64 from an lse that differs by the f32 exp's error (~2e-7 relative) in sum(exp)
      compare(`logSoftmax ${rows}x${C}`, [new Float32Array(rows * C), x], [0],
        (k, [po, px]) => k.logSoftmax(po!, px!, rows, C), { rtol: 2e-7, atol: 5e-7 });
      const y = new Float32Array(rows * C);
      {
        const r = run(ref, [y, x], [0], (p) => ref.logSoftmax(p[0]!, p[1]!, rows, C));
        y.set(r.bufs[0] as Float32Array);
      }
      for (const acc of [0, 1]) {
        const dy = uniform(rows * C), dx = uniform(rows * C);
        const scale = new Float64Array(rows * C);
        for (let r = 0; r < rows; r++) {
          let s = 0;
          for (let c = 0; c < C; c++) s += Math.abs(dy[r * C + c]!);
          for (let c = 0; c < C; c++) {
            const i = r * C + c;
            scale[i] = Math.abs(dy[i]!) + Math.exp(y[i]!) * s + acc * Math.abs(dx[i]!);
          }
        }
        compare(`logSoftmaxBackward ${rows}x${C} acc=${acc}`, [dx, y, dy], [0],
          (k, [pdx, py, pdy]) => k.logSoftmaxBackward(pdx!, py!, pdy!, rows, C, acc), { rtol: 1e-6, atol: 0, scale });
      }
    }
});

test("gather and gatherBackward (per-batch and shared index lists, repeated indices)", () => {
  for (const batch of [1, 2])
    for (const D of [1, 3, 4, 7, 33, 64])
      for (const shared of [false, true]) {
        const V = 11, nIdx = 13;
        const idxStride = shared ? 0 : nIdx;
        const idx = ints(shared ? nIdx : batch * nIdx, 0, V);
        idx[1] = idx[0]!; // a repeat
        compare(`gather b=${batch} D=${D} shared=${shared}`, [new Float32Array(batch * nIdx * D), uniform(batch * V * D), idx], [0],
          (k, [o, t, pi]) => k.gather(o!, t!, pi!, batch, nIdx, V, D, idxStride));
        compare(`gatherBackward b=${batch} D=${D} shared=${shared}`, [uniform(batch * V * D), idx, uniform(batch * nIdx * D)], [0],
          (k, [dt, pi, dout]) => k.gatherBackward(dt!, pi!, dout!, batch, nIdx, V, D, idxStride));
      }
});

test("pick and pickBackward (per-row and broadcast index rows)", () => {
  for (const rows of [1, 6, 33])
    for (const C of [1, 5, 17])
      for (const idxRows of [rows, 1, rows % 3 === 0 ? 3 : rows]) {
        const idx = ints(idxRows, 0, C);
        compare(`pick ${rows}x${C} idxRows=${idxRows}`, [new Float32Array(rows), uniform(rows * C), idx], [0],
          (k, [o, x, pi]) => k.pick(o!, x!, pi!, rows, C, idxRows));
        compare(`pickBackward ${rows}x${C} idxRows=${idxRows}`, [uniform(rows * C), idx, uniform(rows)], [0],
          (k, [dx, pi, dy]) => k.pickBackward(dx!, pi!, dy!, rows, C, idxRows));
      }
});

test("sumSquares and countNonFinite", () => {
  for (const n of [0, ...SIZES, 1000, 4099]) {
    const x = uniform(n, -3, 3);
    compare(`sumSquares n=${n}`, [x], [], (k, [p]) => k.sumSquares(p!, n), { rtol: 1e-13 });
    const y = uniform(n);
    for (let i = 0; i < n; i += 7) y[i] = pick([NaN, Infinity, -Infinity, 3e38, -0, 1e-45]);
    compare(`countNonFinite n=${n}`, [y], [], (k, [p]) => k.countNonFinite(p!, n));
  }
});

test("sgdStep: momentum, dampening, nesterov, weight decay, first step, grad scale", () => {
  for (const n of [1, 5, 33, 100])
    for (const momentum of [0, 0.9])
      for (const dampening of [0, 0.1])
        for (const nesterov of [0, 1])
          for (const firstStep of [0, 1])
            for (const wd of [0, 0.01]) {
              if (momentum === 0 && (dampening !== 0 || nesterov || firstStep)) continue;
              const gradScale = pick([1, 0.5, 1 / 3]);
              const lr = 0.1;
              // buf is only touched with momentum; pass a 1-float dummy buffer otherwise
              const buf = momentum !== 0 ? uniform(n) : new Float32Array(1);
              compare(`sgdStep n=${n} m=${momentum} d=${dampening} nest=${nesterov} first=${firstStep} wd=${wd}`,
                [uniform(n), uniform(n), buf], momentum !== 0 ? [0, 2] : [0],
                (k, [p, g, b]) => k.sgdStep(p!, g!, b!, n, lr, momentum, dampening, wd, nesterov, firstStep, gradScale),
                { rtol: 1e-6, atol: 2e-7 }); // inputs of magnitude <= 1: a couple of f32 ulps at 1, with cancellation
            }
});

test("adamStep: Adam and AdamW", () => {
  for (const n of [1, 5, 33, 100])
    for (const decoupled of [0, 1])
      for (const wd of [0, 0.01])
        for (const t of [1, 2, 10]) {
          const lr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-8;
          const bc1 = 1 - b1 ** t, bc2 = 1 - b2 ** t;
          const m = uniform(n, -0.1, 0.1), v = uniform(n, 0, 0.01);
          const gradScale = pick([1, 0.25]);
          compare(`adamStep n=${n} decoupled=${decoupled} wd=${wd} t=${t}`, [uniform(n), uniform(n), m, v], [0, 2, 3],
            (k, [p, g, pm, pv]) => k.adamStep(p!, g!, pm!, pv!, n, lr, b1, b2, eps, wd, bc1, bc2, decoupled, gradScale),
            { rtol: 2e-6, atol: 2e-7 }); // inputs are of magnitude <= 1: a couple of f32 ulps at 1, with cancellation
        }
});

// ---------- reads past the end of memory trap ----------

/**
 * Runs the wasm kernels on a memory sized so that buffer `last` ends exactly at the
 * end of the memory (others from byte 65536 up): any read or write past its logical
 * end traps with RangeError / RuntimeError.
 */
function atEndOfMemory(data: Data[], last: number, call: (k: Kernels, p: number[]) => void): void {
  const bytes = data.map((d) => Math.max(1, d.length) * F);
  const others = bytes.reduce((s, b, i) => (i === last ? s : s + b + 64), 0);
  const pages = Math.ceil((65536 + others + bytes[last]!) / 65536);
  const memory = new WebAssembly.Memory({ initial: pages });
  const fake = { memory, f32: new Float32Array(memory.buffer), i32: new Int32Array(memory.buffer) } as unknown as Heap;
  const k = loadWasmKernels(fake);
  const ptrs: number[] = [];
  let at = 65536;
  data.forEach((d, i) => {
    const p = i === last ? pages * 65536 - bytes[i]! : at;
    if (i !== last) at += bytes[i]! + 64;
    ptrs.push(p);
    if (d instanceof Int32Array) new Int32Array(memory.buffer, p, d.length).set(d);
    else new Float32Array(memory.buffer, p, d.length).set(d);
  });
  call(k, ptrs);
}

test("no kernel reads past the logical end of a buffer (buffer flush with the end of memory)", () => {
  for (const [M, K, N] of [[5, 7, 3], [13, 3, 17], [3, 33, 1], [7, 9, 2], [1, 1, 1], [17, 13, 31]] as const)
    for (const tA of [0, 1])
      for (const tB of [0, 1])
        for (const last of [0, 1, 2, 3])
          atEndOfMemory([uniform(M * N), uniform(M * K), uniform(K * N), new Float32Array(K * N)], last,
            (k, [o, a, b, s]) => k.matmul(o!, a!, b!, s!, 1, 0, 0, 0, M, K, N, tA, tB, 1));
  for (const n of [1, 3, 5, 7, 13])
    for (const last of [0, 1]) {
      for (const op of Object.values(UnaryOp)) {
        atEndOfMemory([uniform(n), uniform(n, 0.1, 2)], last, (k, [o, x]) => k.unary(o!, x!, n, op));
        atEndOfMemory([uniform(n), uniform(n, 0.1, 2), uniform(n, 0.1, 2), uniform(n)], last * 3,
          (k, [dx, x, y, dy]) => k.unaryBackward(dx!, x!, y!, dy!, n, op, 1));
      }
      for (const op of Object.values(BinaryOp))
        atEndOfMemory([uniform(n), uniform(n), uniform(n)], last * 2,
          (k, [o, a, b]) => k.binary(o!, a!, b!, [1, 1, 1, n], [0, 0, 0, 1], [0, 0, 0, 1], op));
      atEndOfMemory([uniform(n), uniform(n)], last, (k, [o, x]) => k.affine(o!, x!, n, 2, 1));
      atEndOfMemory([uniform(n), uniform(n)], last, (k, [o, x]) => k.clamp(o!, x!, n, -0.5, 0.5));
      atEndOfMemory([uniform(n), uniform(n), uniform(n)], last * 2, (k, [dx, x, dy]) => k.clampBackward(dx!, x!, dy!, n, -0.5, 0.5, 1));
      atEndOfMemory([uniform(n), uniform(n), uniform(n), uniform(n)], last * 3, (k, [o, c, a, b]) => k.where(o!, c!, a!, b!, n));
      atEndOfMemory([uniform(n)], 0, (k, [o]) => k.fill(o!, 1, n));
      atEndOfMemory([uniform(3), uniform(3 * n)], last, (k, [o, x]) => k.reduceSum(o!, x!, 3, n, 1, 1));
      atEndOfMemory([uniform(n), uniform(3 * n)], last, (k, [o, x]) => k.reduceSum(o!, x!, 1, 3, n, 1));
      atEndOfMemory([uniform(n), uniform(3 * n)], last, (k, [o, x]) => k.reduceMax(o!, x!, 1, 3, n));
      atEndOfMemory([uniform(3 * n), uniform(3 * n), uniform(n), uniform(n)], last,
        (k, [dx, x, m, dy]) => k.reduceMaxBackward(dx!, x!, m!, dy!, 1, 3, n, 1));
      atEndOfMemory([uniform(2 * n), uniform(2 * n)], last, (k, [o, x]) => k.logSoftmax(o!, x!, 2, n));
      atEndOfMemory([uniform(2 * n), uniform(2 * n), uniform(2 * n)], last * 2,
        (k, [dx, y, dy]) => k.logSoftmaxBackward(dx!, y!, dy!, 2, n, 1));
      atEndOfMemory([uniform(2 * n), uniform(2 * n)], last,
        (k, [o, x]) => k.copyStrided(o!, x!, [1, 1, 2, n], [0, 0, n, 1], [0, 0, n, 1], 1));
      atEndOfMemory([uniform(n)], 0, (k, [x]) => void k.sumSquares(x!, n));
      atEndOfMemory([uniform(n)], 0, (k, [x]) => void k.countNonFinite(x!, n));
      atEndOfMemory([uniform(n), uniform(n), uniform(n)], last * 2,
        (k, [p, g, b]) => k.sgdStep(p!, g!, b!, n, 0.1, 0.9, 0, 0, 1, 0, 1));
      atEndOfMemory([uniform(n), uniform(n), uniform(n), uniform(n, 0, 1)], last * 3,
        (k, [p, g, m, v]) => k.adamStep(p!, g!, m!, v!, n, 0.1, 0.9, 0.99, 1e-8, 0, 0.1, 0.01, 1, 1));
      atEndOfMemory([uniform(2 * n), uniform(3 * n), Int32Array.of(2, 0)], last,
        (k, [o, t, i]) => k.gather(o!, t!, i!, 1, 2, 3, n, 2));
      atEndOfMemory([uniform(3 * n), Int32Array.of(2, 0), uniform(2 * n)], last * 2,
        (k, [t, i, d]) => k.gatherBackward(t!, i!, d!, 1, 2, 3, n, 2));
    }
});
