// The WASM-SIMD backend: instantiates build/kernels.wasm (compiled from assembly/
// by `npm run build:kernels`) on the heap's memory and adapts it to the Kernels
// interface. The module imports the memory (env.memory), so kernels read and write
// the very buffers the engine allocates; its own static data lives in the first
// 64 KiB page, which the heap never hands out.
//
// A shared heap (heap.ts, for an engine with threads > 1) needs a module that imports
// a shared memory. The build makes one module, importing an unshared memory; its
// shared twin is made here from the same bytes by rewriting the limits of that one
// import to `shared, maximum SHARED_MAX_PAGES` (the code is the same: the kernels use
// no atomics, the threads synchronize in JavaScript, see threaded.ts). So the
// default, unshared module is exactly the built one. (One build target serves both:
// the package's build script builds only that one, and the code is the same.)

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SHARED_MAX_PAGES, type Heap } from "../heap.js";
import { BinaryOp, UnaryOp, type Dims4, type Kernels } from "./kernels.js";

/** The first page of the memory is reserved for the module's static data (see heap.ts). */
const STATIC_LIMIT = 65536;

/** The raw exports of kernels.wasm (pointers are byte offsets, dims are i32). */
export interface WasmExports {
  staticEnd(): number;
  fill(out: number, value: number, n: number): void;
  matmul(
    out: number, a: number, b: number, scratch: number,
    batch: number, strideA: number, strideB: number, strideOut: number,
    M: number, K: number, N: number, transA: number, transB: number, accumulate: number,
  ): void;
  /** batch entries t0..t1-1, output rows r0..r1-1 of matmul (see assembly/matmul.ts) */
  matmulPart(
    out: number, a: number, b: number, scratch: number,
    batch: number, strideA: number, strideB: number, strideOut: number,
    M: number, K: number, N: number, transA: number, transB: number, accumulate: number,
    t0: number, t1: number, r0: number, r1: number, packed: number,
  ): void;
  /** 1 when matmul with these dims packs op(b) into its scratch */
  matmulPacksB(M: number, K: number, N: number, transA: number, transB: number): number;
  /** scratch [K,N] = b [N,K]^T, as matmul packs it */
  packB(scratch: number, b: number, N: number, K: number): void;
  /** bytes of an instance's own matmul scratch (setMatmulScratch) */
  matmulScratchBytes(): number;
  setMatmulScratch(ptr: number): void;
  /** bytes of the packing space for panels of A (setPackedA) */
  packedABytes(): number;
  /** matmul reads A from packed panels, packed at ptr (0: off); same results, fewer memory accesses */
  setPackedA(ptr: number): void;
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

/** Reads an unsigned LEB128 at `pos`; returns the value and the position after it. */
function readU32(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0, shift = 0;
  for (;;) {
    if (pos >= bytes.length) throw new Error("truncated LEB128");
    const byte = bytes[pos++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, pos];
    shift += 7;
  }
}

function writeU32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/**
 * The module's bytes with its memory import `env.memory` turned into a shared memory
 * of at most `maxPages` pages. Only the import section changes: each of its entries
 * is copied, the memory's limits rewritten, and the section's size recomputed.
 */
export function withSharedMemoryImport(bytes: Uint8Array, maxPages: number): Uint8Array {
  const fail = (why: string): never => { throw new Error(`wasm kernels: cannot make the memory import shared: ${why}`); };
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) fail("not a wasm module");
  const name = (pos: number): [string, number] => {
    const [len, p] = readU32(bytes, pos);
    return [new TextDecoder().decode(bytes.subarray(p, p + len)), p + len];
  };
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos]!;
    const [size, body] = readU32(bytes, pos + 1);
    const end = body + size;
    if (id !== 2) {
      pos = end;
      continue;
    }
    const [count, first] = readU32(bytes, body);
    const out: number[] = writeU32(count);
    let p = first, found = false;
    for (let i = 0; i < count; i++) {
      const start = p;
      const [mod, p1] = name(p);
      const [field, p2] = name(p1);
      const kind = bytes[p2]!;
      p = p2 + 1;
      if (kind === 2 && mod === "env" && field === "memory") {
        const flags = bytes[p]!;
        if (flags > 1) fail(`unexpected memory limits flags ${flags}`);
        const [min, p3] = readU32(bytes, p + 1);
        p = p3;
        if (flags === 1) p = readU32(bytes, p)[1];
        out.push(...bytes.subarray(start, p2 + 1), 0x03, ...writeU32(min), ...writeU32(maxPages));
        found = true;
        continue;
      }
      if (kind === 0) p = readU32(bytes, p)[1]; // function: type index
      else if (kind === 1) { // table: reftype, limits
        const flags = bytes[p + 1]!;
        p = readU32(bytes, p + 2)[1];
        if (flags & 1) p = readU32(bytes, p)[1];
      } else if (kind === 2) { // another memory: limits
        const flags = bytes[p]!;
        p = readU32(bytes, p + 1)[1];
        if (flags & 1) p = readU32(bytes, p)[1];
      } else if (kind === 3) p += 2; // global: value type, mutability
      else if (kind === 4) p = readU32(bytes, p + 1)[1]; // tag: attribute, type index
      else fail(`unknown import kind ${kind}`);
      out.push(...bytes.subarray(start, p));
    }
    if (p !== end) fail("malformed import section");
    if (!found) fail("no env.memory import");
    const section = [2, ...writeU32(out.length), ...out];
    const result = new Uint8Array(pos + section.length + bytes.length - end);
    result.set(bytes.subarray(0, pos));
    result.set(section, pos);
    result.set(bytes.subarray(end), pos + section.length);
    return result;
  }
  return fail("no import section");
}

const cachedModules = new Map<boolean, WebAssembly.Module>();

/**
 * The compiled module (importing a shared memory when `shared`), read and compiled
 * once per process. Before it is ever instantiated on a heap, a probe instance on a
 * one-page memory of its own checks that the module's static data ends inside the
 * page the heap reserves for it (instantiating writes the data segments, so the
 * check must come first).
 */
export function kernelsModule(shared = false): WebAssembly.Module {
  const cached = cachedModules.get(shared);
  if (cached) return cached;
  const path = wasmPath();
  const bytes = readFileSync(path);
  const module = new WebAssembly.Module(shared ? withSharedMemoryImport(bytes, SHARED_MAX_PAGES) : bytes);
  let end: number;
  try {
    const memory = new WebAssembly.Memory(shared ? { initial: 1, maximum: 1, shared: true } : { initial: 1 });
    const probe = new WebAssembly.Instance(module, { env: { memory } });
    end = (probe.exports as unknown as WasmExports).staticEnd() >>> 0;
  } catch (e) {
    // a module whose static data needs more than one page does not link against one page
    throw new Error(`wasm kernels: ${path} does not fit its static data in the first ${STATIC_LIMIT} bytes (${String(e)})`);
  }
  if (end > STATIC_LIMIT) {
    throw new Error(`wasm kernels: static data of ${path} ends at ${end}, past the reserved first page (${STATIC_LIMIT} bytes)`);
  }
  cachedModules.set(shared, module);
  return module;
}

/** Instantiates the module on the heap's memory (the shared module when the heap is shared); the raw exports. */
export function instantiateWasm(heap: Heap): WasmExports {
  const instance = new WebAssembly.Instance(kernelsModule(heap.shared), { env: { memory: heap.memory } });
  return instance.exports as unknown as WasmExports;
}

/** Instantiates the WASM-SIMD kernels on the heap's memory (synchronous). */
export function loadWasmKernels(heap: Heap): Kernels {
  return wasmKernels(instantiateWasm(heap));
}

/** The Kernels interface over an instance's raw exports. */
export function wasmKernels(w: WasmExports): Kernels {
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
