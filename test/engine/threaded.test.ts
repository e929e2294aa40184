// The threaded kernels (src/engine/kernels/threaded.ts): a matmul (or log-softmax, or
// unary op) split between the main thread and helper threads must give bitwise the
// same result as one thread, whatever the shape, transposes, batch strides and split; training with threads 2
// must follow the very same trajectory as with threads 1; the shared memory must
// keep working when it grows; and the helpers must never keep a process alive.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { Engine } from "../../src/engine/index.js";
import { buildWorkload } from "../../src/engine/bench/workloads.js";
import { threadedTuning, type ThreadedKernels } from "../../src/engine/kernels/threaded.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs fn with other tuning knobs, restoring them after. */
async function withTuning<T>(knobs: Partial<typeof threadedTuning>, fn: () => Promise<T> | T): Promise<T> {
  const saved = { ...threadedTuning };
  Object.assign(threadedTuning, knobs);
  try {
    return await fn();
  } finally {
    Object.assign(threadedTuning, saved);
  }
}

/** Deterministic values in [-1, 1) with a few exact zeros and large magnitudes mixed in. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    out[i] = i % 17 === 0 ? 0 : i % 23 === 0 ? (u - 0.5) * 1e4 : 2 * u - 1;
  }
  return out;
}

/** Allocates and fills a buffer of floats; returns its pointer. */
function put(e: Engine, data: Float32Array): number {
  const ptr = e.heap.alloc(Math.max(data.length, 1) * 4);
  e.heap.f32.set(data, ptr / 4);
  return ptr;
}

const read = (e: Engine, ptr: number, n: number): Float32Array => e.heap.f32.slice(ptr / 4, ptr / 4 + n);

interface Case {
  batch: number; M: number; K: number; N: number;
  transA: number; transB: number; accumulate: number;
  /** which sides have a batch stride (else 0: broadcast, or for out a sum over the batch) */
  perA: boolean; perB: boolean; perOut: boolean;
}

/**
 * Runs one matmul on an engine (fresh buffers with the case's data); returns the output.
 * With `above`, the buffers are kept (not released) and must all lie at or past that byte.
 */
function runCase(e: Engine, c: Case, seed: number, above?: number): Float32Array {
  const { batch, M, K, N } = c;
  const nA = (c.perA ? batch : 1) * M * K, nB = (c.perB ? batch : 1) * K * N, nOut = (c.perOut ? batch : 1) * M * N;
  const a = put(e, values(nA, seed)), b = put(e, values(nB, seed + 1)), out = put(e, values(nOut, seed + 2));
  const scratch = e.heap.alloc(Math.max(K * N, 1) * 4);
  e.kernels.matmul(out, a, b, scratch, batch, c.perA ? M * K : 0, c.perB ? K * N : 0, c.perOut ? M * N : 0,
    M, K, N, c.transA, c.transB, c.accumulate);
  const result = read(e, out, nOut);
  if (above === undefined) for (const p of [a, b, out, scratch]) e.heap.release(p);
  else for (const p of [a, b, out, scratch]) assert.ok(p >= above, `buffer at ${p}, below ${above}`);
  return result;
}

function assertBitwise(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, what);
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < g.length; i++) {
    if (g[i] !== w[i]) assert.fail(`${what}: element ${i} is ${got[i]}, one thread gives ${want[i]}`);
  }
}

const threadedOf = (e: Engine): ThreadedKernels => e.kernels as ThreadedKernels;

/** Runs big matmuls until a helper has taken part (it starts asynchronously). */
async function untilHelped(e: Engine): Promise<void> {
  const k = threadedOf(e);
  const before = k.helperChunks();
  const deadline = Date.now() + 60_000;
  const c: Case = { batch: 1, M: 128, K: 128, N: 128, transA: 0, transB: 0, accumulate: 0, perA: true, perB: true, perOut: true };
  while (k.helperChunks() === before) {
    if (Date.now() > deadline) assert.fail("no helper thread took part within 60 s");
    runCase(e, c, 1);
    await sleep(5);
  }
}

const shapes: [number, number, number][] = [
  [37, 29, 45], // M % 4, N % 8, K odd
  [64, 64, 64],
  [130, 70, 3], // narrow N: dot products, or the transA narrow kernel
  [41, 300, 2],
  [33, 9, 1],
  [6, 40, 20], // few rows: against b^T, dot products
  [3, 50, 9], // fewer rows than a block: never split
  [129, 300, 67], // k blocked (KC = 256), tails everywhere
  [300, 40, 24], // several row blocks (MC = 128) per part
  [50, 0, 7], // K = 0
];

test("a threaded matmul is bitwise the single-threaded one (all transposes, odd shapes, batches)", async () => {
  const one = new Engine();
  const two = new Engine({ threads: 2 });
  try {
    assert.equal(two.threads, 2);
    await withTuning({ minWork: 0, minChunkWork: 1, minChunkRows: 4, helperSpinUs: 20_000, stallUs: Infinity, adaptive: false }, async () => {
      await untilHelped(two);
      let seed = 10;
      const cases: Case[] = [];
      for (const [M, K, N] of shapes) {
        for (const transA of [0, 1]) for (const transB of [0, 1]) for (const accumulate of [0, 1]) {
          cases.push({ batch: 1, M, K, N, transA, transB, accumulate, perA: true, perB: true, perOut: true });
        }
      }
      // batched: every side its own, a or b broadcast, the output summed over the batch
      for (const [M, K, N] of [[37, 29, 45], [16, 16, 16], [130, 20, 3], [5, 12, 9]] as const) {
        for (const batch of [1, 2, 3, 7]) {
          for (const transA of [0, 1]) for (const transB of [0, 1]) {
            for (const [perA, perB, perOut] of [[true, true, true], [false, true, true], [true, false, true],
              [true, true, false], [false, true, false], [true, false, false]] as const) {
              cases.push({ batch, M, K, N, transA, transB, accumulate: batch % 2, perA, perB, perOut });
            }
          }
        }
      }
      const helpedBefore = threadedOf(two).helperChunks();
      for (const c of cases) {
        seed += 3;
        const what = `batch ${c.batch} ${c.M}x${c.K}x${c.N} transA=${c.transA} transB=${c.transB} acc=${c.accumulate} ` +
          `strides a:${c.perA} b:${c.perB} out:${c.perOut}`;
        // 2 to 64 parts (down to 4 rows), each several times: which thread takes which part varies
        const want = runCase(one, c, seed);
        for (const chunksPerThread of [1, 1, 8, 8, 32]) {
          threadedTuning.chunksPerThread = chunksPerThread;
          assertBitwise(runCase(two, c, seed), want, `${what} (${chunksPerThread} parts per thread)`);
        }
      }
      assert.ok(threadedOf(two).helperChunks() > helpedBefore, "the helper took no part");
    });
  } finally {
    await two.close();
  }
});

test("threaded log-softmax and unary kernels are bitwise the single-threaded ones", async () => {
  const one = new Engine();
  const two = new Engine({ threads: 2 });
  try {
    await withTuning({ minElements: 0, minChunkElements: 1, chunksPerThread: 8, helperSpinUs: 20_000, stallUs: Infinity, adaptive: false }, async () => {
      await untilHelped(two);
      const helpedBefore = threadedOf(two).helperChunks();
      const run = (e: Engine, sizes: number[], fn: (p: number[]) => void, outputs: number[], seed: number): Float32Array[] => {
        const ptrs = sizes.map((n, i) => put(e, values(n, seed + i)));
        fn(ptrs);
        const result = outputs.map((i) => read(e, ptrs[i]!, sizes[i]!));
        for (const p of ptrs) e.heap.release(p);
        return result;
      };
      const check = (what: string, sizes: number[], fn: (k: Engine["kernels"], p: number[]) => void, outputs: number[]) => {
        for (let rep = 0; rep < 3; rep++) {
          const want = run(one, sizes, (p) => fn(one.kernels, p), outputs, 40 + rep);
          const got = run(two, sizes, (p) => fn(two.kernels, p), outputs, 40 + rep);
          want.forEach((w, i) => assertBitwise(got[i]!, w, what));
        }
      };
      // these ops take microseconds: on a busy machine the main thread may claim every
      // chunk before the helper wakes, so the checks repeat until the helper took part
      const checkAll = () => {
        for (const [rows, C] of [[1, 5], [7, 3], [37, 97], [130, 16], [64, 1]] as const) {
          for (const acc of [0, 1]) {
            check(`logSoftmax ${rows}x${C}`, [rows * C, rows * C], (k, [out, x]) => k.logSoftmax(out!, x!, rows, C), [0]);
            check(`logSoftmaxBackward ${rows}x${C} acc=${acc}`, [rows * C, rows * C, rows * C],
              (k, [dx, y, dy]) => k.logSoftmaxBackward(dx!, y!, dy!, rows, C, acc), [0]);
          }
        }
        for (const n of [1, 3, 4, 37, 1001, 4099]) {
          for (const op of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
            check(`unary op ${op} n=${n}`, [n, n], (k, [out, x]) => k.unary(out!, x!, n, op), [0]);
            for (const acc of [0, 1]) {
              check(`unaryBackward op ${op} n=${n} acc=${acc}`, [n, n, n, n],
                (k, [dx, x, y, dy]) => k.unaryBackward(dx!, x!, y!, dy!, n, op, acc), [0]);
            }
          }
        }
      };
      const deadline = Date.now() + 60_000;
      checkAll();
      while (threadedOf(two).helperChunks() === helpedBefore && Date.now() < deadline) {
        await sleep(5);
        checkAll();
      }
      assert.ok(threadedOf(two).helperChunks() > helpedBefore, "the helper took no part");
      assert.throws(() => two.kernels.unary(0, 0, 0, 99), /unknown op code/);
    });
  } finally {
    await two.close();
  }
});

test("training with threads 2 is bitwise training with threads 1", async () => {
  for (const name of ["mlp-wide", "modadd", "transformer"] as const) {
    const run = async (threads: number) => {
      const engine = new Engine({ threads });
      try {
        if (threads > 1) await untilHelped(engine);
        const helped0 = threads > 1 ? threadedOf(engine).helperChunks() : 0;
        const w = buildWorkload(name, { engine, seed: 3 });
        const losses: number[] = [];
        for (let i = 0; i < 6; i++) losses.push(w.step());
        w.dispose();
        return { losses, helped: threads > 1 ? threadedOf(engine).helperChunks() - helped0 : 0 };
      } finally {
        await engine.close();
      }
    };
    const one = await run(1);
    // (no backing off from a busy machine here: the helper must take part)
    const two = await withTuning({ stallUs: Infinity, adaptive: false }, () => run(2));
    assert.ok(two.helped > 0, `${name}: the helper took no part`);
    assert.deepEqual(two.losses, one.losses, `${name}: the losses differ`);
    assert.ok(one.losses.every(Number.isFinite));
  }
});

test("a threaded engine keeps working when its shared memory grows", async () => {
  const one = new Engine();
  const two = new Engine({ threads: 2, initialPages: 4 });
  try {
    await withTuning({ minWork: 0, minChunkWork: 1, helperSpinUs: 20_000, stallUs: Infinity, adaptive: false }, async () => {
      await untilHelped(two);
      // size classes (128 KiB, 32 KiB) that untilHelped's buffers do not use: kept buffers come from the top
      const c: Case = { batch: 3, M: 100, K: 90, N: 70, transA: 1, transB: 1, accumulate: 0, perA: true, perB: true, perOut: true };
      assertBitwise(runCase(two, c, 7, 0), runCase(one, c, 7), "before growing");
      let seed = 100;
      for (let round = 0; round < 4; round++) {
        // grow by a large step, then compute on buffers past the old end
        const before = two.heap.memory.buffer.byteLength;
        two.heap.alloc(before);
        assert.ok(two.heap.memory.buffer.byteLength > before, "the memory did not grow");
        const helped = threadedOf(two).helperChunks();
        const deadline = Date.now() + 60_000;
        do {
          seed++;
          assertBitwise(runCase(two, c, seed, before), runCase(one, c, seed), `after growing to ${two.heap.memory.buffer.byteLength} bytes`);
          if (Date.now() > deadline) assert.fail("no helper took part after the memory grew");
          await sleep(1);
        } while (threadedOf(two).helperChunks() === helped);
      }
    });
  } finally {
    await two.close();
  }
});

test("a threaded engine works alone after close(), and close() twice is fine", async () => {
  const one = new Engine();
  const two = new Engine({ threads: 2 });
  await two.close();
  await two.close();
  const c: Case = { batch: 1, M: 200, K: 120, N: 100, transA: 0, transB: 1, accumulate: 0, perA: true, perB: true, perOut: true };
  assertBitwise(runCase(two, c, 5), runCase(one, c, 5), "after close");
});

test("helper threads never keep a process alive", () => {
  const engineUrl = new URL("../../src/engine/index.js", import.meta.url).href;
  for (const close of [false, true]) {
    const script = `
      import { Engine, F } from ${JSON.stringify(engineUrl)};
      const e = new Engine({ threads: 2 });
      const a = e.tensor(new Float32Array(512 * 512).fill(0.5), [512, 512]);
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 0; i < 20; i++) F.matmul(a, a).dispose();
      ${close ? "await e.close();" : ""}
      console.log("done");
    `;
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.error, undefined, `close=${close}: ${String(r.error)} after ${Date.now() - t0} ms`);
    assert.equal(r.status, 0, `close=${close}: exit ${r.status} ${r.signal ?? ""}: ${r.stderr}`);
    assert.match(r.stdout, /done/);
  }
});
