// The WASM-SIMD backend: instantiates build/kernels.wasm (compiled from assembly/
// by `npm run build:kernels`) on the heap's memory and adapts it to the Kernels
// interface. The module imports the memory (env.memory), so kernels read and write
// the very buffers the engine allocates; its own static data lives in the first
// 64 KiB page, which the heap never hands out.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Heap } from "../heap.js";
import { BinaryOp, UnaryOp, type Dims4, type Kernels } from "./kernels.js";

/** The first page of the memory is reserved for the module's static data (see heap.ts). */
const STATIC_LIMIT = 65536;

/** The raw exports of kernels.wasm (pointers are byte offsets, dims are i32). */
interface WasmExports {
  staticEnd(): number;
  fill(out: number, value: number, n: number): void;
  matmul(
    out: number, a: number, b: number, scratch: number,
    batch: number, strideA: number, strideB: number, strideOut: number,
    M: number, K: number, N: number, transA: number, transB: number, accumulate: number,
  ): void;
  binary(
    out: number, a: number, b: number,
    d0: number, d1: number, d2: number, d3: number,
    sa0: number, sa1: number, sa2: number, sa3: number,
    sb0: number, sb1: number, sb2: number, sb3: number, op: number,
  ): void;
  unary(out: number, x: number, n: number, op: number): void;
  unaryBackward(dx: number, x: number, y: number, dy: number, n: number, op: number, accumulate: number): void;
  affine(out: number, x: number, n: number, alpha: number, beta: number): void;
  clamp(out: number, x: number, n: number, lo: number, hi: number): void;
  clampBackward(dx: number, x: number, dy: number, n: number, lo: number, hi: number, accumulate: number): void;
  where(out: number, cond: number, a: number, b: number, n: number): void;
  reduceSum(out: number, x: number, O: number, R: number, I: number, accumulate: number): void;
  reduceMax(out: number, x: number, O: number, R: number, I: number): void;
  reduceMaxBackward(dx: number, x: number, m: number, dy: number, O: number, R: number, I: number, accumulate: number): void;
  copyStrided(
    out: number, x: number,
    d0: number, d1: number, d2: number, d3: number,
    so0: number, so1: number, so2: number, so3: number,
    sx0: number, sx1: number, sx2: number, sx3: number, accumulate: number,
  ): void;
  logSoftmax(out: number, x: number, rows: number, C: number): void;
  logSoftmaxBackward(dx: number, y: number, dy: number, rows: number, C: number, accumulate: number): void;
  gather(out: number, table: number, idx: number, batch: number, nIdx: number, V: number, D: number, idxStride: number): void;
  gatherBackward(dtable: number, idx: number, dout: number, batch: number, nIdx: number, V: number, D: number, idxStride: number): void;
  pick(out: number, x: number, idx: number, rows: number, C: number, idxRows: number): void;
  pickBackward(dx: number, idx: number, dy: number, rows: number, C: number, idxRows: number): void;
  sumSquares(x: number, n: number): number;
  countNonFinite(x: number, n: number): number;
  sgdStep(param: number, grad: number, buf: number, n: number,
    lr: number, momentum: number, dampening: number, wd: number, nesterov: number, firstStep: number, gradScale: number): void;
  adamStep(param: number, grad: number, m: number, v: number, n: number,
    lr: number, b1: number, b2: number, eps: number, wd: number, bc1: number, bc2: number, decoupled: number, gradScale: number): void;
}

const UNARY_OPS = Object.keys(UnaryOp).length;
const BINARY_OPS = Object.keys(BinaryOp).length;

/** Op codes are checked here: an unknown one would otherwise trap inside the module ("unreachable"). */
function checkOp(kind: string, op: number, count: number): void {
  if (!(Number.isInteger(op) && op >= 0 && op < count)) throw new Error(`${kind}: unknown op code ${op}`);
}

/**
 * build/kernels.wasm of the package this file belongs to: found by walking up from
 * this file (src/engine/kernels/ or, compiled, dist/src/engine/kernels/) to the
 * package root, the nearest directory with a package.json and a build/ next to it.
 */
function wasmPath(): string {
  const here = fileURLToPath(import.meta.url);
  let firstRoot: string | undefined;
  for (let dir = dirname(here); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) {
      firstRoot ??= dir;
      const path = join(dir, "build", "kernels.wasm");
      if (existsSync(path)) return path;
    }
    if (dirname(dir) === dir) break;
  }
  if (!firstRoot) throw new Error(`wasm kernels: no package.json above ${here}`);
  throw new Error(`wasm kernels: ${join(firstRoot, "build", "kernels.wasm")} is missing; run \`npm run build:kernels\``);
}

let cachedModule: WebAssembly.Module | undefined;

/**
 * The compiled module, read and compiled once per process. Before it is ever
 * instantiated on a heap, a probe instance on a one-page memory of its own checks
 * that the module's static data ends inside the page the heap reserves for it
 * (instantiating writes the data segments, so the check must come first).
 */
function kernelsModule(): WebAssembly.Module {
  if (cachedModule) return cachedModule;
  const path = wasmPath();
  const module = new WebAssembly.Module(readFileSync(path));
  let end: number;
  try {
    const probe = new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
    end = (probe.exports as unknown as WasmExports).staticEnd() >>> 0;
  } catch (e) {
    // a module whose static data needs more than one page does not link against one page
    throw new Error(`wasm kernels: ${path} does not fit its static data in the first ${STATIC_LIMIT} bytes (${String(e)})`);
  }
  if (end > STATIC_LIMIT) {
    throw new Error(`wasm kernels: static data of ${path} ends at ${end}, past the reserved first page (${STATIC_LIMIT} bytes)`);
  }
  cachedModule = module;
  return module;
}

/** Instantiates the WASM-SIMD kernels on the heap's memory (synchronous). */
export function loadWasmKernels(heap: Heap): Kernels {
  const instance = new WebAssembly.Instance(kernelsModule(), { env: { memory: heap.memory } });
  const w = instance.exports as unknown as WasmExports;
  return {
    name: "wasm",
    fill: (out, value, n) => w.fill(out, value, n),
    matmul: (out, a, b, scratch, batch, strideA, strideB, strideOut, M, K, N, transA, transB, accumulate) =>
      w.matmul(out, a, b, scratch, batch, strideA, strideB, strideOut, M, K, N, transA, transB, accumulate),
    binary: (out, a, b, d: Dims4, sa: Dims4, sb: Dims4, op) => {
      checkOp("binary", op, BINARY_OPS);
      w.binary(out, a, b, d[0], d[1], d[2], d[3], sa[0], sa[1], sa[2], sa[3], sb[0], sb[1], sb[2], sb[3], op);
    },
    unary: (out, x, n, op) => {
      checkOp("unary", op, UNARY_OPS);
      w.unary(out, x, n, op);
    },
    unaryBackward: (dx, x, y, dy, n, op, accumulate) => {
      checkOp("unaryBackward", op, UNARY_OPS);
      w.unaryBackward(dx, x, y, dy, n, op, accumulate);
    },
    affine: (out, x, n, alpha, beta) => w.affine(out, x, n, alpha, beta),
    clamp: (out, x, n, lo, hi) => w.clamp(out, x, n, lo, hi),
    clampBackward: (dx, x, dy, n, lo, hi, accumulate) => w.clampBackward(dx, x, dy, n, lo, hi, accumulate),
    where: (out, cond, a, b, n) => w.where(out, cond, a, b, n),
    reduceSum: (out, x, O, R, I, accumulate) => w.reduceSum(out, x, O, R, I, accumulate),
    reduceMax: (out, x, O, R, I) => w.reduceMax(out, x, O, R, I),
    reduceMaxBackward: (dx, x, m, dy, O, R, I, accumulate) => w.reduceMaxBackward(dx, x, m, dy, O, R, I, accumulate),
    copyStrided: (out, x, d: Dims4, so: Dims4, sx: Dims4, accumulate) =>
      w.copyStrided(out, x, d[0], d[1], d[2], d[3], so[0], so[1], so[2], so[3], sx[0], sx[1], sx[2], sx[3], accumulate),
    logSoftmax: (out, x, rows, C) => w.logSoftmax(out, x, rows, C),
    logSoftmaxBackward: (dx, y, dy, rows, C, accumulate) => w.logSoftmaxBackward(dx, y, dy, rows, C, accumulate),
    gather: (out, table, idx, batch, nIdx, V, D, idxStride) => w.gather(out, table, idx, batch, nIdx, V, D, idxStride),
    gatherBackward: (dtable, idx, dout, batch, nIdx, V, D, idxStride) =>
      w.gatherBackward(dtable, idx, dout, batch, nIdx, V, D, idxStride),
    pick: (out, x, idx, rows, C, idxRows) => w.pick(out, x, idx, rows, C, idxRows),
    pickBackward: (dx, idx, dy, rows, C, idxRows) => w.pickBackward(dx, idx, dy, rows, C, idxRows),
    sumSquares: (x, n) => w.sumSquares(x, n),
    countNonFinite: (x, n) => w.countNonFinite(x, n),
    sgdStep: (param, grad, buf, n, lr, momentum, dampening, wd, nesterov, firstStep, gradScale) =>
      w.sgdStep(param, grad, buf, n, lr, momentum, dampening, wd, nesterov, firstStep, gradScale),
    adamStep: (param, grad, m, v, n, lr, b1, b2, eps, wd, bc1, bc2, decoupled, gradScale) =>
      w.adamStep(param, grad, m, v, n, lr, b1, b2, eps, wd, bc1, bc2, decoupled, gradScale),
  };
}
