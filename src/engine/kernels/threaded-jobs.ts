// The job protocol of the threaded kernels (threaded.ts): the control block that
// the main thread and its helpers share, how a job is cut into chunks, the code that
// runs one chunk on a thread's own instance of the kernels, and a helper thread's
// loop (started by matmul-helper.ts). Both sides import it, so they cannot disagree
// on the layout of the control block.

import type { WasmExports } from "./wasm.js";

// ---- the control block ----

export const CLAIM = 0; // (n << 10) | next: chunks of the current job, and the next unclaimed one
export const DONE = 1; // chunks done, ever (wraps)
export const SLEEPERS = 2; // helpers in Atomics.wait on CLAIM
export const STOP = 3; // 1: helpers exit
export const ERRORS = 4; // chunks that threw in a helper
export const HELPED = 5; // chunks run by helpers, ever (statistics)
export const SPIN_US = 6; // threadedTuning.helperSpinUs, for the helpers
export const KIND = 7; // what the job runs: KIND_*
export const ARGS = 8; // the job's arguments (matmul: out, a, b, scratch, batch, strideA, strideB, strideOut, M, K, N, transA, transB, accumulate, mode, packed)
export const MODE = ARGS + 14;
export const PACKED = ARGS + 15;
/** helper i's own scratch for packing op(b) (when not packed once for all): word SCRATCH + i */
export const SCRATCH = 32;
export const MAX_THREADS = 32;
export const CONTROL_WORDS = SCRATCH + MAX_THREADS;
/** at most 1023 chunks: n and next take 10 bits each */
export const MAX_CHUNKS = 1023;

export const MODE_BATCH = 0, MODE_ROWS = 1;

export const KIND_MATMUL = 0;
/** args: out, x, rows, C */
export const KIND_LOG_SOFTMAX = 1;
/** args: dx, y, dy, rows, C, accumulate */
export const KIND_LOG_SOFTMAX_BACKWARD = 2;
/** args: out, x, n, op */
export const KIND_UNARY = 3;
/** args: dx, x, y, dy, n, op, accumulate */
export const KIND_UNARY_BACKWARD = 4;

/** The range [lo, hi) of chunk c of n over `units` units of `unit` items (the last one up to `total`). */
export function part(c: number, n: number, total: number, unit: number): [number, number] {
  const units = Math.ceil(total / unit);
  return [unit * Math.floor((c * units) / n), Math.min(total, unit * Math.floor(((c + 1) * units) / n))];
}

/**
 * Runs chunk `c` of the job of `n` chunks described in the control block, as thread
 * `self` (0 is the main thread, which packs with the caller's scratch).
 */
export function runChunk(ctl: Int32Array, w: WasmExports, c: number, n: number, self: number): void {
  const kind = ctl[KIND]!;
  if (kind !== KIND_MATMUL) {
    // pointers are read unsigned, offset, and passed on (ToInt32 wraps them back)
    const p = (i: number) => ctl[ARGS + i]! >>> 0, v = (i: number) => ctl[ARGS + i]!;
    if (kind === KIND_LOG_SOFTMAX) {
      const C = v(3), [r0, r1] = part(c, n, v(2), 1), off = r0 * C * 4;
      w.logSoftmax(p(0) + off, p(1) + off, r1 - r0, C);
    } else if (kind === KIND_LOG_SOFTMAX_BACKWARD) {
      const C = v(4), [r0, r1] = part(c, n, v(3), 1), off = r0 * C * 4;
      w.logSoftmaxBackward(p(0) + off, p(1) + off, p(2) + off, r1 - r0, C, v(5));
    } else if (kind === KIND_UNARY) {
      const [i0, i1] = part(c, n, v(2), 4), off = i0 * 4;
      w.unary(p(0) + off, p(1) + off, i1 - i0, v(3));
    } else if (kind === KIND_UNARY_BACKWARD) {
      const [i0, i1] = part(c, n, v(4), 4), off = i0 * 4;
      w.unaryBackward(p(0) + off, p(1) + off, p(2) + off, p(3) + off, i1 - i0, v(5), v(6));
    }
    return;
  }
  const batch = ctl[ARGS + 4]!, M = ctl[ARGS + 8]!;
  let t0 = 0, t1 = batch, r0 = 0, r1 = M;
  if (ctl[MODE] === MODE_BATCH) {
    t0 = Math.floor((c * batch) / n);
    t1 = Math.floor(((c + 1) * batch) / n);
  } else {
    [r0, r1] = part(c, n, M, 4);
  }
  const packed = ctl[PACKED]!;
  const scratch = packed !== 0 || self === 0 ? ctl[ARGS + 3]! : ctl[SCRATCH + self]!;
  w.matmulPart(ctl[ARGS]!, ctl[ARGS + 1]!, ctl[ARGS + 2]!, scratch,
    batch, ctl[ARGS + 5]!, ctl[ARGS + 6]!, ctl[ARGS + 7]!,
    M, ctl[ARGS + 9]!, ctl[ARGS + 10]!, ctl[ARGS + 11]!, ctl[ARGS + 12]!, ctl[ARGS + 13]!,
    t0, t1, r0, r1, packed);
}

/** What one thread did of a job: chunks run, and the first error one threw. */
export interface Claimed {
  chunks: number;
  failure?: unknown;
}

/**
 * Claims and runs chunks of the current job until none is left. A chunk that throws
 * still counts as done (so the job completes); a helper's errors are counted in ERRORS.
 */
export function runClaims(ctl: Int32Array, w: WasmExports, self: number): Claimed {
  const claimed: Claimed = { chunks: 0 };
  for (;;) {
    const cur = Atomics.load(ctl, CLAIM);
    const next = cur & 0x3ff, n = cur >>> 10;
    if (next >= n) return claimed;
    if (Atomics.compareExchange(ctl, CLAIM, cur, cur + 1) !== cur) continue;
    claimed.chunks++;
    try {
      runChunk(ctl, w, next, n, self);
    } catch (e) {
      if (!("failure" in claimed)) claimed.failure = e;
      if (self !== 0) Atomics.add(ctl, ERRORS, 1);
    }
    if (self !== 0) Atomics.add(ctl, HELPED, 1);
    Atomics.add(ctl, DONE, 1);
    if (self !== 0) Atomics.notify(ctl, DONE);
  }
}

// ---- the helper side (run by matmul-helper.ts in a worker thread) ----

/** What a helper thread gets (its workerData). */
export interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** this helper's index, 1.. (0 is the main thread) */
  self: number;
  /** this instance's matmul scratch (setMatmulScratch) */
  matmulScratch: number;
  /** this instance's space for packed panels of A (setPackedA) */
  packedA: number;
}

/** A helper thread's life: instantiate the kernels on the shared memory, then run chunks until told to stop. */
export function helperLoop(d: HelperData): void {
  const instance = new WebAssembly.Instance(d.module, { env: { memory: d.memory } });
  const w = instance.exports as unknown as WasmExports;
  w.setMatmulScratch(d.matmulScratch);
  w.setPackedA(d.packedA);
  const ctl = new Int32Array(d.control);
  while (Atomics.load(ctl, STOP) === 0) {
    runClaims(ctl, w, d.self);
    // Idle: poll for a while, then sleep until the main thread publishes a job.
    const cur = Atomics.load(ctl, CLAIM);
    if ((cur & 0x3ff) < cur >>> 10) continue;
    const until = performance.now() + Atomics.load(ctl, SPIN_US) / 1000;
    let polls = 0;
    while (Atomics.load(ctl, CLAIM) === cur && Atomics.load(ctl, STOP) === 0) {
      if ((++polls & 255) === 0 && performance.now() > until) {
        Atomics.add(ctl, SLEEPERS, 1);
        Atomics.wait(ctl, CLAIM, cur);
        Atomics.sub(ctl, SLEEPERS, 1);
        break;
      }
    }
  }
}

