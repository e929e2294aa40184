// Batched f32 matrix multiply (GEMM) with WebAssembly SIMD.
//
// Every variant is reduced to one register-blocked kernel computing
//   C[M,N] (+)= A[M,K] @ B[K,N]
// where B is row-major [K,N] and A is addressed through two byte strides, so the
// same kernel serves A stored [M,K] and, from a packed copy of 4-column panels,
// A stored [K,M] (transA). When transB, B is first packed (transposed) into
// `scratch` as [K,N] (scratch is touched only then). Narrow products (N == 1, or
// N < 4 or M < 4 against b^T) use dot products of contiguous rows instead, and
// narrow ones with transA a kernel vectorized down the columns of A.
//
// The micro-kernel holds a 4x8 block of C in eight f32x4 registers: for each k it
// loads two f32x4 of B[k, j:j+8] and broadcasts A[i, k] for four rows. Column
// tails (N % 8) use lane-partial loads and stores, row tails (M % 4) a 1-row kernel,
// so nothing is read or written past a buffer's logical end. Loops are blocked
// over k (KC) so a B panel stays in L1, and over rows (MC) so an A block stays in L2.

import { loadPartial, storePartial } from "./simd";

/** k-block: the panel of B (KC x 8 floats) then stays in L1 across row blocks. */
const KC: i32 = 256;
/** row block: the panel of A (MC x KC floats) stays in L2 across column blocks. */
const MC: i32 = 128;

/**
 * Batched matmul; see kernels.ts for the contract.
 * out: [batch?, M, N] (batch stride strideOut floats, 0 = sum over the batch)
 * a: [batch?, M, K], or [batch?, K, M] when transA (batch stride strideA floats, 0 = broadcast)
 * b: [batch?, K, N], or [batch?, N, K] when transB (batch stride strideB floats, 0 = broadcast)
 * scratch: [K, N] packing space for op(b), used only when transB (may be 0 otherwise)
 */
export function matmul(
  out: usize, a: usize, b: usize, scratch: usize,
  batch: i32, strideA: i32, strideB: i32, strideOut: i32,
  M: i32, K: i32, N: i32, transA: i32, transB: i32, accumulate: i32,
): void {
  matmulPart(out, a, b, scratch, batch, strideA, strideB, strideOut, M, K, N, transA, transB, accumulate, 0, batch, 0, M, 0);
}

/**
 * One part of a batched matmul, for splitting it between threads (the engine's
 * threaded kernels): batch entries t0..t1-1, and of each only the output rows
 * r0..r1-1. Every output element is computed by exactly the instructions `matmul`
 * uses for it, provided r0 is a multiple of 4 and r1 is too or equals M: the kernel
 * choice depends on the full M, and row tails (M % 4) stay tails. `packed` != 0 says
 * op(b) is already in scratch (see packB), which is only valid when b is broadcast
 * (strideB 0) or a single entry is computed; then scratch is only read, so several
 * parts can share it. Without `packed`, parts that run at once need their own scratch.
 */
export function matmulPart(
  out: usize, a: usize, b: usize, scratch: usize,
  batch: i32, strideA: i32, strideB: i32, strideOut: i32,
  M: i32, K: i32, N: i32, transA: i32, transB: i32, accumulate: i32,
  t0: i32, t1: i32, r0: i32, r1: i32, packed: i32,
): void {
  if (M <= 0 || N <= 0 || r1 <= r0) return;
  // A dimension of size 1 makes the transpose of an operand a no-op in memory.
  if (M == 1 || K == 1) transA = 0;
  if (N == 1 || K == 1) transB = 0;
  // Dot products of contiguous rows, out[i,j] = A[i,:] . Bt[j,:] with Bt [N,K]: for
  // narrow outputs (N < 4), and for a few rows against b^T. Bt is b itself when
  // transB (or N == 1, where b [K,1] is also [1,K]), else b^T packed in k-chunks.
  const dot = transA == 0 && K >= 8 && (N < 4 || (transB != 0 && M < 4));
  // transA with narrow outputs: vectorized down the columns of A [K,M] instead.
  const narrowT = transA != 0 && N < 4;
  const rows = r1 - r0;
  // Byte offsets of row r0: in out, and in a (a row of op(a) is a column of a when transA).
  const outOff = (<usize>r0 * <usize>N) << 2;
  const aOff = transA != 0 ? <usize>r0 << 2 : (<usize>r0 * <usize>K) << 2;
  const lda = <usize>M << 2;
  for (let t = t0; t < t1; t++) {
    const A = a + ((<usize>t * <usize>strideA) << 2) + aOff;
    const B = b + ((<usize>t * <usize>strideB) << 2);
    const O = out + ((<usize>t * <usize>strideOut) << 2) + outOff;
    const acc = accumulate != 0 || (t > 0 && strideOut == 0);
    if (dot) {
      if (transB != 0 || N == 1) gemmDot(O, A, <usize>K << 2, B, <usize>K << 2, rows, K, N, acc);
      else gemmDotPacked(O, A, B, rows, K, N, acc);
      continue;
    }
    let Bn = B;
    if (transB != 0) {
      // b [N,K] -> scratch [K,N], once when b is broadcast over the batch
      if (packed == 0 && (t == t0 || strideB != 0)) transpose(scratch, B, N, K);
      Bn = scratch;
    }
    if (narrowT) gemmNarrowT(O, A, Bn, rows, K, N, lda, acc);
    else if (transA != 0) gemmT(O, A, Bn, rows, K, N, lda, acc);
    else if (PACKED_A) gemmP(O, A, Bn, rows, K, N, <usize>K << 2, acc);
    else gemm(O, A, Bn, rows, K, N, <usize>K << 2, 4, acc);
  }
}

/** Whether matmul with these dims packs op(b) into scratch (then packB can do it once ahead). */
export function matmulPacksB(M: i32, K: i32, N: i32, transA: i32, transB: i32): i32 {
  if (M <= 0 || N <= 0) return 0;
  if (M == 1 || K == 1) transA = 0;
  if (N == 1 || K == 1) transB = 0;
  const dot = transA == 0 && K >= 8 && (N < 4 || (transB != 0 && M < 4));
  return transB != 0 && !dot ? 1 : 0;
}

/** Packs b [N,K] into scratch [K,N] as matmul does (for matmulPart's `packed`). */
export function packB(scratch: usize, b: usize, N: i32, K: i32): void {
  transpose(scratch, b, N, K);
}

/**
 * C[M,N] (+)= A @ B, blocked over k and rows.
 * c: [M, N]; a: element (i,k) at a + i*ra + k*ka bytes; b: [K, N]
 */
function gemm(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, ra: usize, ka: usize, acc: bool): void {
  const ldb = <usize>N << 2, ldc = <usize>N << 2;
  const n8 = N & ~7;
  const tail = N - n8;
  if (K == 0) {
    if (!acc) zero(c, <usize>M * <usize>N);
    return;
  }
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    const accK = acc || k0 > 0;
    const ak = a + <usize>k0 * ka;
    const bk = b + <usize>k0 * ldb;
    for (let i0 = 0; i0 < M; i0 += MC) {
      const mEnd = min(M, i0 + MC);
      const m4 = i0 + ((mEnd - i0) & ~3);
      for (let j = 0; j < n8; j += 8) {
        const bj = bk + (<usize>j << 2);
        let i = i0;
        for (; i < m4; i += 4) {
          kern4x8(c + <usize>i * ldc + (<usize>j << 2), ak + <usize>i * ra, bj, ra, ka, ldb, ldc, kc, accK);
        }
        for (; i < mEnd; i++) {
          kern1x8(c + <usize>i * ldc + (<usize>j << 2), ak + <usize>i * ra, bj, ka, ldb, kc, accK);
        }
      }
      if (tail > 0) {
        // 1..7 columns left: a full 4-wide part (if tail >= 4), then a partial one.
        let j = n8;
        let w = tail;
        while (w > 0) {
          const wj = min(w, 4);
          const bj = bk + (<usize>j << 2);
          let i = i0;
          for (; i < m4; i += 4) {
            kern4x4p(c + <usize>i * ldc + (<usize>j << 2), ak + <usize>i * ra, bj, ra, ka, ldb, ldc, kc, accK, wj);
          }
          for (; i < mEnd; i++) {
            kern1x4p(c + <usize>i * ldc + (<usize>j << 2), ak + <usize>i * ra, bj, ka, ldb, kc, accK, wj);
          }
          j += wj;
          w -= wj;
        }
      }
    }
  }
}

/**
 * Whether the 4x8 micro-kernel reads A from packed panels ([kc][4] floats: one v128
 * per k holds four rows) and broadcasts its lanes, instead of loading each of the four
 * values on its own: 3 memory accesses per k instead of 6, for 4 more shuffles. A win
 * where every access is bounds-checked (V8 checks each access to a shared memory
 * explicitly), a loss elsewhere; off by default, see setPackedA.
 */
let PACKED_A = false;
/** gemmP's packing space for a block of A: [MC/4][KC][4] floats, given by setPackedA. */
let PACK_A: usize = 0;

/** Bytes of the packing space setPackedA takes. */
export function packedABytes(): i32 {
  return MC * KC * 4;
}

/**
 * Switches this instance's matmul to packed panels of A, with packedABytes() bytes
 * at p (16-byte aligned) to pack them in; p = 0 switches back. The results are
 * bitwise the same either way: only the loads change, not the arithmetic.
 */
export function setPackedA(p: usize): void {
  PACK_A = p;
  PACKED_A = p != 0;
}

/**
 * gemm with packed panels of A (see PACKED_A): per k-block, each block of MC rows of A
 * is first packed into PACK_A as [MC/4][kc][4], then multiplied with every column
 * block of B as in gemm; the row tail (M % 4) reads A directly. Every element of C
 * gets the same arithmetic as in gemm.
 * c: [M, N]; a: [M, K] with row stride lda bytes; b: [K, N]
 */
function gemmP(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, lda: usize, acc: bool): void {
  const ldb = <usize>N << 2, ldc = <usize>N << 2;
  const n8 = N & ~7;
  if (K == 0) {
    if (!acc) zero(c, <usize>M * <usize>N);
    return;
  }
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    const panelBytes = <usize>kc << 4;
    const accK = acc || k0 > 0;
    const ak = a + (<usize>k0 << 2);
    const bk = b + <usize>k0 * ldb;
    for (let i0 = 0; i0 < M; i0 += MC) {
      const mEnd = min(M, i0 + MC);
      const m4 = i0 + ((mEnd - i0) & ~3);
      for (let i = i0; i < m4; i += 4) packRows4(PACK_A + <usize>((i - i0) >> 2) * panelBytes, ak + <usize>i * lda, lda, kc);
      for (let j = 0; j < n8; j += 8) {
        const bj = bk + (<usize>j << 2);
        let i = i0;
        for (; i < m4; i += 4) {
          kern4x8s(c + <usize>i * ldc + (<usize>j << 2), PACK_A + <usize>((i - i0) >> 2) * panelBytes, bj, ldb, ldc, kc, accK);
        }
        for (; i < mEnd; i++) kern1x8(c + <usize>i * ldc + (<usize>j << 2), ak + <usize>i * lda, bj, 4, ldb, kc, accK);
      }
      for (let j = n8; j < N; j += 4) {
        const bj = bk + (<usize>j << 2), wj = min(4, N - j);
        let i = i0;
        for (; i < m4; i += 4) {
          kern4x4p(c + <usize>i * ldc + (<usize>j << 2), PACK_A + <usize>((i - i0) >> 2) * panelBytes, bj, 4, 16, ldb, ldc, kc, accK, wj);
        }
        for (; i < mEnd; i++) kern1x4p(c + <usize>i * ldc + (<usize>j << 2), ak + <usize>i * lda, bj, 4, ldb, kc, accK, wj);
      }
    }
  }
}

/**
 * Packs four rows of A into a panel: dst[k][r] = A[r, k] for k < kc, r < 4.
 * dst: [kc][4]; a: rows with stride lda bytes
 */
function packRows4(dst: usize, a: usize, lda: usize, kc: i32): void {
  const a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda;
  const k4 = kc & ~3;
  let k = 0;
  for (; k < k4; k += 4) {
    const o = <usize>k << 2;
    const x0 = v128.load(a + o), x1 = v128.load(a1 + o), x2 = v128.load(a2 + o), x3 = v128.load(a3 + o);
    const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
    const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
    const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
    const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
    const q = dst + (<usize>k << 4);
    v128.store(q, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
    v128.store(q, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
    v128.store(q, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
    v128.store(q, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
  }
  for (; k < kc; k++) {
    const o = <usize>k << 2, q = dst + (<usize>k << 4);
    f32.store(q, f32.load(a + o));
    f32.store(q, f32.load(a1 + o), 4);
    f32.store(q, f32.load(a2 + o), 8);
    f32.store(q, f32.load(a3 + o), 12);
  }
}

/** Bytes of PACK. */
const PACK_BYTES: i32 = 4 * KC * 16;
/** Bytes of NARROW. */
const NARROW_BYTES: i32 = 96;

/**
 * Packing space (16 KiB): gemmT's panels of A^T (4 x [KC][4] floats), gemmDotPacked's
 * chunk of b^T ([N][KD]). In the static data by default; an instance that runs at the
 * same time as another one on the same (shared) memory gets its own through
 * setMatmulScratch.
 */
let PACK: usize = memory.data(PACK_BYTES, 16);
/** Staging for gemmNarrowT's 8 x 3 accumulator block: [3 columns][8 rows] floats. */
let NARROW: usize = memory.data(NARROW_BYTES, 16);

/** Bytes of the per-instance matmul scratch (PACK and NARROW) that setMatmulScratch takes. */
export function matmulScratchBytes(): i32 {
  return PACK_BYTES + NARROW_BYTES;
}

/** Moves this instance's PACK and NARROW to p (16-byte aligned, matmulScratchBytes() bytes): PACK, then NARROW. */
export function setMatmulScratch(p: usize): void {
  PACK = p;
  NARROW = p + <usize>PACK_BYTES;
}

/**
 * C[M,N] (+)= A[K,M]^T @ B[K,N]. Rows of A^T are M*4 bytes apart in k, which for
 * large power-of-two M maps a k-panel onto few cache sets; so 16 columns of A at a
 * time (one cache line per k) are first copied into PACK as four 4-row panels
 * ([kc][4], one v128 per k), each reused across all column blocks.
 * c: [M, N]; a: [K, M] with row stride lda bytes (lda >= M*4: M columns of a wider A); b: [K, N]
 */
function gemmT(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, lda: usize, acc: bool): void {
  const ldb = <usize>N << 2, ldc = <usize>N << 2;
  const n8 = N & ~7;
  const m4 = M & ~3;
  if (K == 0) {
    if (!acc) zero(c, <usize>M * <usize>N);
    return;
  }
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    const panelBytes = <usize>kc << 4;
    const accK = acc || k0 > 0;
    const ak = a + <usize>k0 * lda;
    const bk = b + <usize>k0 * ldb;
    for (let i0 = 0; i0 < m4; i0 += 16) {
      const np = min(4, (m4 - i0) >> 2);
      let p = ak + (<usize>i0 << 2);
      let q = PACK;
      for (let k = 0; k < kc; k++) {
        v128.store(q, v128.load(p));
        if (np > 1) v128.store(q + panelBytes, v128.load(p, 16));
        if (np > 2) v128.store(q + 2 * panelBytes, v128.load(p, 32));
        if (np > 3) v128.store(q + 3 * panelBytes, v128.load(p, 48));
        p += lda;
        q += 16;
      }
      for (let pi = 0; pi < np; pi++) {
        const panel = PACK + <usize>pi * panelBytes;
        const ci = c + <usize>(i0 + 4 * pi) * ldc;
        if (PACKED_A) {
          for (let j = 0; j < n8; j += 8) kern4x8s(ci + (<usize>j << 2), panel, bk + (<usize>j << 2), ldb, ldc, kc, accK);
        } else {
          for (let j = 0; j < n8; j += 8) kern4x8(ci + (<usize>j << 2), panel, bk + (<usize>j << 2), 4, 16, ldb, ldc, kc, accK);
        }
        for (let j = n8; j < N; j += 4) {
          kern4x4p(ci + (<usize>j << 2), panel, bk + (<usize>j << 2), 4, 16, ldb, ldc, kc, accK, min(4, N - j));
        }
      }
    }
    for (let i = m4; i < M; i++) {
      const ci = c + <usize>i * ldc, ai = ak + (<usize>i << 2);
      for (let j = 0; j < n8; j += 8) kern1x8(ci + (<usize>j << 2), ai, bk + (<usize>j << 2), lda, ldb, kc, accK);
      for (let j = n8; j < N; j += 4) kern1x4p(ci + (<usize>j << 2), ai, bk + (<usize>j << 2), lda, ldb, kc, accK, min(4, N - j));
    }
  }
}

/**
 * C[4,8] (+)= A[4,kc] @ B[kc,8].
 * c: [4, 8] with row stride ldc bytes; a: (i,k) at a + i*ra + k*ka; b: [kc, 8] with row stride ldb bytes
 */
// @ts-ignore: decorator
@inline
function kern4x8(c: usize, a: usize, b: usize, ra: usize, ka: usize, ldb: usize, ldc: usize, kc: i32, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const ra2 = ra + ra, ra3 = ra2 + ra;
  let pa = a, pb = b;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(x, b0));
    c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(pa + ra);
    c10 = f32x4.add(c10, f32x4.mul(x, b0));
    c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(pa + ra2);
    c20 = f32x4.add(c20, f32x4.mul(x, b0));
    c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(pa + ra3);
    c30 = f32x4.add(c30, f32x4.mul(x, b0));
    c31 = f32x4.add(c31, f32x4.mul(x, b1));
    pa += ka;
    pb += ldb;
  }
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  if (acc) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c1)); c11 = f32x4.add(c11, v128.load(c1, 16));
    c20 = f32x4.add(c20, v128.load(c2)); c21 = f32x4.add(c21, v128.load(c2, 16));
    c30 = f32x4.add(c30, v128.load(c3)); c31 = f32x4.add(c31, v128.load(c3, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c1, c10); v128.store(c1, c11, 16);
  v128.store(c2, c20); v128.store(c2, c21, 16);
  v128.store(c3, c30); v128.store(c3, c31, 16);
}

/**
 * kern4x8 on a packed panel of A: the four rows' values at k are one v128, loaded once
 * and broadcast lane by lane (see PACKED_A). Same arithmetic as kern4x8.
 * c: [4, 8] with row stride ldc bytes; a: [kc][4]; b: [kc, 8] with row stride ldb bytes
 */
// @ts-ignore: decorator
@inline
function kern4x8s(c: usize, a: usize, b: usize, ldb: usize, ldc: usize, kc: i32, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let pa = a, pb = b;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    const av = v128.load(pa);
    let x = v128.shuffle<f32>(av, av, 0, 0, 0, 0);
    c00 = f32x4.add(c00, f32x4.mul(x, b0));
    c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.shuffle<f32>(av, av, 1, 1, 1, 1);
    c10 = f32x4.add(c10, f32x4.mul(x, b0));
    c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.shuffle<f32>(av, av, 2, 2, 2, 2);
    c20 = f32x4.add(c20, f32x4.mul(x, b0));
    c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.shuffle<f32>(av, av, 3, 3, 3, 3);
    c30 = f32x4.add(c30, f32x4.mul(x, b0));
    c31 = f32x4.add(c31, f32x4.mul(x, b1));
    pa += 16;
    pb += ldb;
  }
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  if (acc) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c1)); c11 = f32x4.add(c11, v128.load(c1, 16));
    c20 = f32x4.add(c20, v128.load(c2)); c21 = f32x4.add(c21, v128.load(c2, 16));
    c30 = f32x4.add(c30, v128.load(c3)); c31 = f32x4.add(c31, v128.load(c3, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c1, c10); v128.store(c1, c11, 16);
  v128.store(c2, c20); v128.store(c2, c21, 16);
  v128.store(c3, c30); v128.store(c3, c31, 16);
}

/**
 * C[1,8] (+)= A[1,kc] @ B[kc,8].
 * c: [8]; a: k at a + k*ka; b: [kc, 8] with row stride ldb bytes
 */
// @ts-ignore: decorator
@inline
function kern1x8(c: usize, a: usize, b: usize, ka: usize, ldb: usize, kc: i32, acc: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let pa = a, pb = b;
  for (let k = 0; k < kc; k++) {
    const x = v128.load32_splat(pa);
    c0 = f32x4.add(c0, f32x4.mul(x, v128.load(pb)));
    c1 = f32x4.add(c1, f32x4.mul(x, v128.load(pb, 16)));
    pa += ka;
    pb += ldb;
  }
  if (acc) {
    c0 = f32x4.add(c0, v128.load(c));
    c1 = f32x4.add(c1, v128.load(c, 16));
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
}

/**
 * C[4,w] (+)= A[4,kc] @ B[kc,w] for w in 1..4 columns (partial loads and stores).
 * c: [4, w] with row stride ldc bytes; a: (i,k) at a + i*ra + k*ka; b: [kc, w] with row stride ldb bytes
 */
function kern4x4p(c: usize, a: usize, b: usize, ra: usize, ka: usize, ldb: usize, ldc: usize, kc: i32, acc: bool, w: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  const ra2 = ra + ra, ra3 = ra2 + ra;
  let pa = a, pb = b;
  for (let k = 0; k < kc; k++) {
    const b0 = loadPartial(pb, w);
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(pa), b0));
    c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(pa + ra), b0));
    c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(pa + ra2), b0));
    c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(pa + ra3), b0));
    pa += ka;
    pb += ldb;
  }
  const q1 = c + ldc, q2 = q1 + ldc, q3 = q2 + ldc;
  if (acc) {
    c0 = f32x4.add(c0, loadPartial(c, w));
    c1 = f32x4.add(c1, loadPartial(q1, w));
    c2 = f32x4.add(c2, loadPartial(q2, w));
    c3 = f32x4.add(c3, loadPartial(q3, w));
  }
  storePartial(c, c0, w);
  storePartial(q1, c1, w);
  storePartial(q2, c2, w);
  storePartial(q3, c3, w);
}

/**
 * C[1,w] (+)= A[1,kc] @ B[kc,w] for w in 1..4 columns.
 * c: [w]; a: k at a + k*ka; b: [kc, w] with row stride ldb bytes
 */
function kern1x4p(c: usize, a: usize, b: usize, ka: usize, ldb: usize, kc: i32, acc: bool, w: i32): void {
  let c0 = f32x4.splat(0);
  let pa = a, pb = b;
  for (let k = 0; k < kc; k++) {
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(pa), loadPartial(pb, w)));
    pa += ka;
    pb += ldb;
  }
  if (acc) c0 = f32x4.add(c0, loadPartial(c, w));
  storePartial(c, c0, w);
}

/** k-chunk of gemmDotPacked: [3][KD] floats fit in PACK. */
const KD: i32 = 1024;

/**
 * C[M,N] (+)= A[M,K] @ B[K,N] for N < 4 without scratch: b^T is packed into PACK a
 * k-chunk at a time, then dot products over each chunk.
 * c: [M, N]; a: [M, K]; b: [K, N]
 */
function gemmDotPacked(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: bool): void {
  for (let k0 = 0; k0 < K; k0 += KD) {
    const kd = min(KD, K - k0);
    transpose(PACK, b + ((<usize>k0 * <usize>N) << 2), kd, N); // b[k0:k0+kd, :] -> PACK [N, kd]
    gemmDot(c, a + (<usize>k0 << 2), <usize>K << 2, PACK, <usize>kd << 2, M, kd, N, acc || k0 > 0);
  }
}

/**
 * C[M,N] (+)= A[M,kn] @ Bt[N,kn]^T as dot products of contiguous rows, four rows of A
 * against one row of Bt at a time (each load of Bt serves four dot products).
 * c: [M, N]; a: [M, kn] with row stride lda bytes; bt: [N, kn] with row stride ldb bytes
 */
function gemmDot(c: usize, a: usize, lda: usize, bt: usize, ldb: usize, M: i32, kn: i32, N: i32, acc: bool): void {
  const k4 = kn & ~3;
  const ldc = <usize>N << 2;
  const m4 = M & ~3;
  let i = 0;
  for (; i < m4; i += 4) {
    const a0 = a + <usize>i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
    const c0 = c + <usize>i * ldc;
    for (let j = 0; j < N; j++) {
      const pb = bt + <usize>j * ldb;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let k = 0;
      for (; k < k4; k += 4) {
        const o = <usize>k << 2;
        const y = v128.load(pb + o);
        s0 = f32x4.add(s0, f32x4.mul(v128.load(a0 + o), y));
        s1 = f32x4.add(s1, f32x4.mul(v128.load(a1 + o), y));
        s2 = f32x4.add(s2, f32x4.mul(v128.load(a2 + o), y));
        s3 = f32x4.add(s3, f32x4.mul(v128.load(a3 + o), y));
      }
      if (k < kn) {
        const o = <usize>k << 2, w = kn - k;
        const y = loadPartial(pb + o, w);
        s0 = f32x4.add(s0, f32x4.mul(loadPartial(a0 + o, w), y));
        s1 = f32x4.add(s1, f32x4.mul(loadPartial(a1 + o, w), y));
        s2 = f32x4.add(s2, f32x4.mul(loadPartial(a2 + o, w), y));
        s3 = f32x4.add(s3, f32x4.mul(loadPartial(a3 + o, w), y));
      }
      // the four horizontal sums at once: lanes [sum s0, sum s1, sum s2, sum s3]
      const t0 = f32x4.add(v128.shuffle<f32>(s0, s1, 0, 4, 1, 5), v128.shuffle<f32>(s0, s1, 2, 6, 3, 7));
      const t1 = f32x4.add(v128.shuffle<f32>(s2, s3, 0, 4, 1, 5), v128.shuffle<f32>(s2, s3, 2, 6, 3, 7));
      const r = f32x4.add(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      const q = c0 + (<usize>j << 2);
      if (acc) {
        f32.store(q, f32.load(q) + f32x4.extract_lane(r, 0));
        f32.store(q + ldc, f32.load(q + ldc) + f32x4.extract_lane(r, 1));
        f32.store(q + 2 * ldc, f32.load(q + 2 * ldc) + f32x4.extract_lane(r, 2));
        f32.store(q + 3 * ldc, f32.load(q + 3 * ldc) + f32x4.extract_lane(r, 3));
      } else {
        f32.store(q, f32x4.extract_lane(r, 0));
        f32.store(q + ldc, f32x4.extract_lane(r, 1));
        f32.store(q + 2 * ldc, f32x4.extract_lane(r, 2));
        f32.store(q + 3 * ldc, f32x4.extract_lane(r, 3));
      }
    }
  }
  for (; i < M; i++) {
    const pa = a + <usize>i * lda;
    for (let j = 0; j < N; j++) {
      const pb = bt + <usize>j * ldb;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
      let k = 0;
      for (; k + 8 <= kn; k += 8) {
        const o = <usize>k << 2;
        s0 = f32x4.add(s0, f32x4.mul(v128.load(pa + o), v128.load(pb + o)));
        s1 = f32x4.add(s1, f32x4.mul(v128.load(pa + o, 16), v128.load(pb + o, 16)));
      }
      for (; k < kn; k += 4) {
        const o = <usize>k << 2, w = min(4, kn - k);
        s0 = f32x4.add(s0, f32x4.mul(loadPartial(pa + o, w), loadPartial(pb + o, w)));
      }
      s0 = f32x4.add(s0, s1);
      const s = (f32x4.extract_lane(s0, 0) + f32x4.extract_lane(s0, 1)) +
        (f32x4.extract_lane(s0, 2) + f32x4.extract_lane(s0, 3));
      const q = c + <usize>i * ldc + (<usize>j << 2);
      store<f32>(q, acc ? load<f32>(q) + s : s);
    }
  }
}

/**
 * C[M,N] (+)= A[K,M]^T @ B[K,N] for N in 1..3, 8 rows of C at a time: per k, two f32x4
 * of A[k, i:i+8] times a broadcast B[k, j] for each column j.
 * c: [M, N]; a: [K, M] with row stride lda bytes (lda >= M*4); b: [K, N]
 */
function gemmNarrowT(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, lda: usize, acc: bool): void {
  const ldb = <usize>N << 2;
  for (let i = 0; i < M; i += 8) {
    const w = min(8, M - i);
    const w0 = min(w, 4), w1 = w - w0;
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
    let pa = a + (<usize>i << 2), pb = b;
    if (w == 8) {
      for (let k = 0; k < K; k++) {
        const a0 = v128.load(pa), a1 = v128.load(pa, 16);
        let x = v128.load32_splat(pb);
        c00 = f32x4.add(c00, f32x4.mul(a0, x));
        c01 = f32x4.add(c01, f32x4.mul(a1, x));
        if (N > 1) {
          x = v128.load32_splat(pb, 4);
          c10 = f32x4.add(c10, f32x4.mul(a0, x));
          c11 = f32x4.add(c11, f32x4.mul(a1, x));
          if (N > 2) {
            x = v128.load32_splat(pb, 8);
            c20 = f32x4.add(c20, f32x4.mul(a0, x));
            c21 = f32x4.add(c21, f32x4.mul(a1, x));
          }
        }
        pa += lda;
        pb += ldb;
      }
    } else {
      for (let k = 0; k < K; k++) {
        const a0 = loadPartial(pa, w0);
        const a1 = w1 > 0 ? loadPartial(pa + 16, w1) : f32x4.splat(0);
        let x = v128.load32_splat(pb);
        c00 = f32x4.add(c00, f32x4.mul(a0, x));
        c01 = f32x4.add(c01, f32x4.mul(a1, x));
        if (N > 1) {
          x = v128.load32_splat(pb, 4);
          c10 = f32x4.add(c10, f32x4.mul(a0, x));
          c11 = f32x4.add(c11, f32x4.mul(a1, x));
          if (N > 2) {
            x = v128.load32_splat(pb, 8);
            c20 = f32x4.add(c20, f32x4.mul(a0, x));
            c21 = f32x4.add(c21, f32x4.mul(a1, x));
          }
        }
        pa += lda;
        pb += ldb;
      }
    }
    // Scatter the column vectors into the rows of C (row stride N floats).
    v128.store(NARROW, c00); v128.store(NARROW, c01, 16);
    v128.store(NARROW, c10, 32); v128.store(NARROW, c11, 48);
    v128.store(NARROW, c20, 64); v128.store(NARROW, c21, 80);
    for (let r = 0; r < w; r++) {
      const pc = c + ((<usize>(i + r) * <usize>N) << 2);
      for (let j = 0; j < N; j++) {
        const v = load<f32>(NARROW + (<usize>(j * 8 + r) << 2));
        const q = pc + (<usize>j << 2);
        store<f32>(q, acc ? load<f32>(q) + v : v);
      }
    }
  }
}

/**
 * Transpose: dst[C,R] = src[R,C]^T, in 4x4 SIMD blocks.
 * dst: [C, R]; src: [R, C]
 */
function transpose(dst: usize, src: usize, R: i32, C: i32): void {
  const r4 = R & ~3, c4 = C & ~3;
  const ls = <usize>C << 2, ld = <usize>R << 2;
  for (let r = 0; r < r4; r += 4) {
    const s = src + <usize>r * ls;
    let c = 0;
    for (; c < c4; c += 4) {
      const p = s + (<usize>c << 2);
      const x0 = v128.load(p), x1 = v128.load(p + ls), x2 = v128.load(p + 2 * ls), x3 = v128.load(p + 3 * ls);
      // [a0 b0 a1 b1], [c0 d0 c1 d1], [a2 b2 a3 b3], [c2 d2 c3 d3]
      const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
      const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
      const q = dst + <usize>c * ld + (<usize>r << 2);
      v128.store(q, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      v128.store(q + ld, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      v128.store(q + 2 * ld, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      v128.store(q + 3 * ld, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
    }
    for (; c < C; c++) {
      for (let rr = r; rr < r + 4; rr++) {
        store<f32>(dst + <usize>c * ld + (<usize>rr << 2), load<f32>(src + <usize>rr * ls + (<usize>c << 2)));
      }
    }
  }
  for (let r = r4; r < R; r++) {
    for (let c = 0; c < C; c++) {
      store<f32>(dst + <usize>c * ld + (<usize>r << 2), load<f32>(src + <usize>r * ls + (<usize>c << 2)));
    }
  }
}

/** out[n] = 0. out: [n] */
function zero(out: usize, n: usize): void {
  memory.fill(out, 0, n << 2);
}
