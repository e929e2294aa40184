// Kernels on several threads: the WASM kernels of the main thread, with large
// matmuls (and the heavier row-wise and elementwise kernels: log-softmax and its
// backward, transcendental unary ops and theirs) split between the main thread and
// helper worker threads.
//
// Every thread runs an instance of the same module on the same shared memory (heap.ts
// with `shared`, wasm.ts's shared twin of the module); helpers are started by
// loadThreadedKernels and run helperLoop (matmul-helper.ts). Every other kernel runs
// on the calling thread, as in the single-threaded kernels.
//
// A split call is a "job" of n chunks, published in a control block (an Int32Array
// on a SharedArrayBuffer): its kind and arguments, then one CLAIM word holding the
// chunk count and the next unclaimed chunk. The main thread and the helpers take
// chunks by compare-and-swap on CLAIM, run them and count them in DONE; the main
// thread returns when all n are done. A matmul chunk is a range of batch entries or
// a range of output rows (in multiples of 4, the kernel's block height, over every
// batch entry), run by matmulPart of assembly/matmul.ts, which computes each output
// element with exactly the instructions of the single-threaded matmul; a log-softmax
// chunk is a range of rows, a unary chunk a range of elements in multiples of 4 (one
// vector): the result is bitwise the same for any number of threads and any
// assignment of chunks to threads.
//
// Claiming makes the split self-balancing and never waits on an idle helper: a
// helper that is asleep or not started yet simply takes no chunks (the main thread
// runs them all). Arguments are only read after a successful claim, and the main
// thread writes the next job's arguments only after every chunk of the current one
// is done, so a claimed chunk always sees its own job's arguments. A helper that
// runs out of chunks spins on CLAIM for a while (matmuls come in bursts within a
// training step), then sleeps in Atomics.wait until the main thread notifies it.
//
// Whether splitting pays is measured as the program runs (ModeChooser): on a busy or
// shared machine the second core may not really be there, and then calls stay on the
// main thread. A cost of the shared memory worth knowing: Node 20's V8 runs the kernels
// on it up to ~20% slower, as when it checks every memory access explicitly (an
// unshared memory run with --wasm-enforce-bounds-checks is as slow); so matmul reads
// A from packed panels here, which needs half the accesses (setPackedA in
// assembly/matmul.ts) and gets it back to about the unshared speed.

import { Worker } from "node:worker_threads";
import type { Heap } from "../heap.js";
import { UnaryOp, type Kernels } from "./kernels.js";
import { instantiateWasm, kernelsModule, wasmKernels, type WasmExports } from "./wasm.js";
import { ARGS, CLAIM, CONTROL_WORDS, DONE, ERRORS, HELPED, type HelperData, KIND, KIND_LOG_SOFTMAX, KIND_LOG_SOFTMAX_BACKWARD, KIND_MATMUL, KIND_UNARY, KIND_UNARY_BACKWARD, MAX_CHUNKS, MAX_THREADS, MODE_BATCH, MODE_ROWS, SCRATCH, SLEEPERS, SPIN_US, STOP, runClaims } from "./threaded-jobs.js";

/** Knobs of the split (tuned on a 2-core machine, see threaded.test.ts and `toyworld bench`). */
export const threadedTuning = {
  /** a matmul is split only when batch*M*K*N (its multiply-adds) reaches this */
  minWork: 1 << 18,
  /** chunks per thread (more balance the load better, fewer run the kernel on larger blocks) */
  chunksPerThread: 4,
  /** and at least this much work (multiply-adds) per chunk */
  minChunkWork: 1 << 17,
  /** and, split by rows, at least this many rows per chunk (a multiple of 4) */
  minChunkRows: 16,
  /** log-softmax and the heavy unary ops are split only over this many floats */
  minElements: 1 << 15,
  /** and at least this many per chunk */
  minChunkElements: 1 << 13,
  /** how long an idle helper keeps polling for the next job before it sleeps, in microseconds */
  helperSpinUs: 200,
  /** how long the main thread polls for the helpers' last chunks before it sleeps, in microseconds */
  mainSpinUs: 200,
  /**
   * A helper that makes the main thread wait for its last chunk longer than this
   * (microseconds) and than two of the main thread's own chunks took was most likely
   * descheduled (a busy machine): calls then stay on the main thread for a while
   * (20 ms, doubling up to 1.3 s while it goes on), which costs little when the
   * helpers are well and much less than waiting when they are not.
   */
  stallUs: 300,
  /**
   * Whether to check, while training, that splitting pays (see ModeChooser). A second
   * core is not always there to take: on a shared or oversubscribed machine the helper
   * may only get time that the main thread loses, and then one thread is faster.
   */
  adaptive: true,
  /** ModeChooser: the length of an epoch, in ms */
  epochMs: 50,
  /**
   * ModeChooser: one epoch in this many runs the mode that is not preferred, to keep
   * measuring it (one in 2 or 4 times as many once the preferred one is 10% or 25% faster)
   */
  exploreEvery: 8,
};

// ---- the main side ----

/**
 * Decides, epoch by epoch (threadedTuning.epochMs of wall time), whether calls are
 * split, by measuring which way the program goes faster: the rate of an epoch is the
 * multiply-adds of all matmuls called in it over its wall time, which in a training
 * loop is proportional to its steps per second (and so counts what a polling helper
 * takes from the main thread outside matmuls too). The mode with the better recent
 * rate is preferred; every exploreEvery-th epoch (or rarer, when the preferred mode is
 * well ahead) runs the other one. Epochs much longer than planned (the program paused
 * between matmuls) are not counted. The choice never changes results, only speed.
 */
class ModeChooser {
  /** smoothed rates (multiply-adds per ms) of epochs split and not split; NaN before the first */
  private readonly rate = { split: NaN, single: NaN };
  /** epochs measured each way */
  private readonly samples = { split: 0, single: 0 };
  private epoch = 0;
  private start = -1;
  private macs = 0;
  private split = true;

  /** Whether calls may be split in the current epoch. */
  splitting(): boolean {
    return this.split || !threadedTuning.adaptive;
  }

  /** Counts a matmul of `macs` multiply-adds, at the start of the call (closing the epoch when it is over). */
  count(macs: number): void {
    const t = threadedTuning;
    if (!t.adaptive) return;
    const now = performance.now();
    if (this.start < 0) this.start = now;
    else if (now - this.start >= t.epochMs) {
      const ms = now - this.start;
      // (the first epoch is not counted: it holds the program's warm-up and the helpers' start)
      if (this.epoch > 0 && ms < 3 * t.epochMs && this.macs > 0) {
        const key = this.split ? "split" : "single";
        const r = this.macs / ms, old = this.rate[key];
        this.rate[key] = Number.isNaN(old) ? r : 0.5 * old + 0.5 * r;
        this.samples[key]++;
      }
      this.epoch++;
      // first one epoch each way, then the better one, with every exploreEvery-th epoch
      // the other (every 2nd or 4th such epoch when the better one is well ahead)
      const { split, single } = this.rate;
      if (Number.isNaN(split)) this.split = true;
      else if (Number.isNaN(single)) this.split = false;
      else {
        const gap = Math.max(split, single) / Math.min(split, single);
        const sure = Math.min(this.samples.split, this.samples.single) >= 3;
        const every = t.exploreEvery * (!sure ? 1 : gap > 1.25 ? 4 : gap > 1.1 ? 2 : 1);
        this.split = (split >= single) !== (this.epoch % every === 0);
      }
      this.start = now;
      this.macs = 0;
    }
    this.macs += macs;
  }
}

/** Kernels with the heavy kernels split over `threads` threads; close() stops the helpers. */
export interface ThreadedKernels extends Kernels {
  readonly threads: number;
  /** chunks run by the helper threads so far (statistics) */
  helperChunks(): number;
  /** Stops the helper threads (idempotent); resolves when they have exited. Kernels keep working, on one thread. */
  close(): Promise<void>;
}

/** Unary ops worth splitting (polynomial transcendentals; the others are a few instructions per vector). */
const HEAVY_FORWARD = new Set<number>([UnaryOp.gelu, UnaryOp.tanh, UnaryOp.sigmoid, UnaryOp.exp, UnaryOp.log]);
const HEAVY_BACKWARD = new Set<number>([UnaryOp.gelu]);

/**
 * Kernels that run large matmuls, log-softmax and transcendental unary ops on
 * `threads` threads: the caller's and threads-1 helpers. The heap must be shared. The
 * helpers are unref'ed, so a process that never calls close() still exits.
 */
export function loadThreadedKernels(heap: Heap, threads: number): ThreadedKernels {
  const s = new Splitter(heap, threads);
  const base = wasmKernels(s.w);
  return {
    ...base,
    threads,
    matmul: (out, a, b, scratch, batch, strideA, strideB, strideOut, M, K, N, transA, transB, accumulate) =>
      s.matmul(out, a, b, scratch, batch, strideA, strideB, strideOut, M, K, N, transA, transB, accumulate),
    logSoftmax: (out, x, rows, C) => {
      const n = s.chunks(rows * C, rows);
      if (n < 2) return base.logSoftmax(out, x, rows, C);
      s.run(KIND_LOG_SOFTMAX, n, [out, x, rows, C]);
    },
    logSoftmaxBackward: (dx, y, dy, rows, C, accumulate) => {
      const n = s.chunks(rows * C, rows);
      if (n < 2) return base.logSoftmaxBackward(dx, y, dy, rows, C, accumulate);
      s.run(KIND_LOG_SOFTMAX_BACKWARD, n, [dx, y, dy, rows, C, accumulate]);
    },
    unary: (out, x, count, op) => {
      const n = HEAVY_FORWARD.has(op) ? s.chunks(count, Math.ceil(count / 4)) : 0;
      if (n < 2) return base.unary(out, x, count, op);
      s.run(KIND_UNARY, n, [out, x, count, op]);
    },
    unaryBackward: (dx, x, y, dy, count, op, accumulate) => {
      const n = HEAVY_BACKWARD.has(op) ? s.chunks(count, Math.ceil(count / 4)) : 0;
      if (n < 2) return base.unaryBackward(dx, x, y, dy, count, op, accumulate);
      s.run(KIND_UNARY_BACKWARD, n, [dx, x, y, dy, count, op, accumulate]);
    },
    helperChunks: () => s.helperChunks(),
    close: () => s.close(),
  };
}

class Splitter {
  readonly w: WasmExports;
  private readonly ctl: Int32Array;
  private readonly workers: Worker[] = [];
  /** helpers' own scratch for packing op(b), by helper index */
  private readonly scratch: { ptr: number; bytes: number }[] = [];
  /** chunks done, ever: the target of DONE after the current job */
  private done = 0;
  private closed = false;
  /** consecutive stalls, and until when (performance.now()) calls stay on this thread */
  private stalls = 0;
  private backoffUntil = 0;
  private readonly chooser = new ModeChooser();

  constructor(private readonly heap: Heap, readonly threads: number) {
    if (!heap.shared) throw new Error("threaded kernels: the heap's memory must be shared");
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
      throw new Error(`threaded kernels: threads must be an integer in 1..${MAX_THREADS}, got ${threads}`);
    }
    this.w = instantiateWasm(heap);
    // On a shared memory every access is bounds-checked: matmul is faster with fewer of
    // them, reading A from packed panels (every thread, this one too, so the choice of
    // kernels does not depend on the split). Same arithmetic, same results.
    const packedABytes = this.w.packedABytes();
    this.w.setPackedA(heap.alloc(packedABytes));
    this.ctl = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
    const module = kernelsModule(true);
    const scratchBytes = this.w.matmulScratchBytes();
    for (let self = 1; self < threads; self++) {
      const data: HelperData = {
        module, memory: heap.memory, control: this.ctl.buffer as SharedArrayBuffer, self,
        matmulScratch: heap.alloc(scratchBytes), packedA: heap.alloc(packedABytes),
      };
      const worker = new Worker(new URL("./matmul-helper.js", import.meta.url), { workerData: data });
      // A helper that fails to start takes no chunks: the main thread then runs them all.
      worker.on("error", () => {});
      worker.unref();
      this.workers.push(worker);
      this.scratch[self] = { ptr: 0, bytes: 0 };
    }
  }

  helperChunks(): number {
    return Atomics.load(this.ctl, HELPED);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctl, STOP, 1);
    Atomics.notify(this.ctl, CLAIM);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Whether calls may be split now (helpers running, not backing off from a stall, the chooser's mode). */
  private splitting(): boolean {
    return !this.closed && this.threads > 1 && this.chooser.splitting() &&
      (this.stalls === 0 || performance.now() >= this.backoffUntil);
  }

  /** Chunks for a row-wise or elementwise kernel over `elements` floats in `units` indivisible units (0: do not split). */
  chunks(elements: number, units: number): number {
    const t = threadedTuning;
    if (elements < t.minElements || !this.splitting()) return 0;
    return Math.min(MAX_CHUNKS, units, this.threads * t.chunksPerThread, Math.floor(elements / t.minChunkElements));
  }

  /** Makes every helper's packing scratch at least `bytes` long. */
  private helperScratch(bytes: number): void {
    for (let self = 1; self < this.threads; self++) {
      const s = this.scratch[self]!;
      if (s.bytes >= bytes) continue;
      if (s.bytes > 0) this.heap.release(s.ptr);
      s.ptr = this.heap.alloc(bytes);
      s.bytes = bytes;
      this.ctl[SCRATCH + self] = s.ptr;
    }
  }

  matmul(
    out: number, a: number, b: number, scratch: number,
    batch: number, strideA: number, strideB: number, strideOut: number,
    M: number, K: number, N: number, transA: number, transB: number, accumulate: number,
  ): void {
    const w = this.w;
    const work = batch * M * K * N;
    const t = threadedTuning;
    let n = 0, mode = MODE_ROWS;
    this.chooser.count(work);
    if (work >= t.minWork && M > 0 && N > 0 && this.splitting()) {
      const most = Math.min(MAX_CHUNKS, this.threads * t.chunksPerThread, Math.floor(work / t.minChunkWork));
      if (batch >= this.threads && strideOut >= M * N) {
        // whole batch entries (outputs apart)
        mode = MODE_BATCH;
        n = Math.min(batch, most);
      } else if (strideOut === 0 || batch === 1 || strideOut >= M * N) {
        // rows of every entry (of the one output summed over the batch when strideOut is 0)
        n = Math.min(Math.ceil(M / Math.max(4, t.minChunkRows)), most);
      }
    }
    if (n < 2) {
      w.matmul(out, a, b, scratch, batch, strideA, strideB, strideOut, M, K, N, transA, transB, accumulate);
      return;
    }
    // op(b) is packed once here when every chunk can share it; else each thread packs its own.
    let packed = 0;
    if (w.matmulPacksB(M, K, N, transA, transB) !== 0) {
      if (strideB === 0 || batch === 1) {
        w.packB(scratch, b, N, K);
        packed = 1;
      } else {
        this.helperScratch(K * N * 4);
      }
    }
    this.run(KIND_MATMUL, n,
      [out, a, b, scratch, batch, strideA, strideB, strideOut, M, K, N, transA, transB, accumulate, mode, packed]);
  }

  /** Publishes a job of n chunks with these arguments, runs chunks of it, and returns when all are done. */
  run(kind: number, n: number, args: number[]): void {
    const ctl = this.ctl, t = threadedTuning;
    ctl[KIND] = kind;
    for (let i = 0; i < args.length; i++) ctl[ARGS + i] = args[i]!;
    ctl[SPIN_US] = t.helperSpinUs;
    const errors = Atomics.load(ctl, ERRORS);
    Atomics.store(ctl, CLAIM, n << 10);
    if (Atomics.load(ctl, SLEEPERS) > 0) Atomics.notify(ctl, CLAIM);
    const start = performance.now();
    const own = runClaims(ctl, this.w, 0);
    // Wait for the helpers' last chunks: poll (they are usually about to finish), then
    // sleep (which also leaves the core to a helper that shares it).
    const target = (this.done = (this.done + n) | 0);
    if (Atomics.load(ctl, DONE) !== target) {
      const t0 = performance.now();
      const chunkUs = ((t0 - start) * 1000) / Math.max(1, own.chunks);
      let now = t0;
      for (let polls = 1; ; polls++) {
        const done = Atomics.load(ctl, DONE);
        if (done === target) break;
        if ((polls & 63) === 0) now = performance.now();
        if (now - t0 > t.mainSpinUs / 1000) Atomics.wait(ctl, DONE, done, 10);
      }
      const waited = (performance.now() - t0) * 1000;
      if (waited < t.stallUs || waited < 2 * chunkUs) this.stalls = 0;
      else this.backoffUntil = performance.now() + 20 * 2 ** Math.min(this.stalls++, 6);
    } else {
      this.stalls = 0;
    }
    if ("failure" in own) throw own.failure;
    if (Atomics.load(ctl, ERRORS) !== errors) throw new Error("threaded kernels: a helper thread failed on its part");
  }
}
