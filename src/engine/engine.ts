// The engine context: one heap, one kernel backend, the autograd switch and the
// lifetime scopes that free a training step's temporaries.
//
// Lifetimes: a tensor created inside `engine.scope(fn)` is freed when fn returns,
// unless fn returns it or it is `keep`-ed. Tensors created outside any scope
// (parameters, optimizer state) live until disposed. This is what keeps a long
// training loop at a fixed memory footprint: every step frees what it allocated and
// the heap's pool hands the same buffers out again.
//
// Threads: `new Engine({ threads: 2 })` (wasm backend) puts the heap on a shared
// memory and splits large matmuls between this thread and helper threads (see
// kernels/threaded.ts), with results bitwise equal to one thread's. The default is
// one thread, as for the pool's workers, which train population members one per
// core. close() stops the helpers.

import { Heap } from "./heap.js";
import type { Kernels } from "./kernels/kernels.js";
import { referenceKernels } from "./kernels/reference.js";
import { loadThreadedKernels, type ThreadedKernels } from "./kernels/threaded.js";
import { loadWasmKernels } from "./kernels/wasm.js";
import { Tensor, sizeOf, shapeString, type DType, type Shape } from "./tensor.js";

export type Backend = "wasm" | "reference";

export interface EngineOptions {
  backend?: Backend;
  /** initial memory in 64 KiB pages */
  initialPages?: number;
  /**
   * threads for the kernels (default 1): with more, large matmuls are split between
   * the calling thread and threads-1 helper threads. Only the wasm backend uses them;
   * the reference backend always runs on one thread.
   */
  threads?: number;
}

export class Engine {
  readonly heap: Heap;
  readonly kernels: Kernels;
  readonly backend: Backend;
  /** threads the kernels run on (see EngineOptions.threads) */
  readonly threads: number;
  private readonly threaded: ThreadedKernels | null = null;
  private gradEnabled = true;
  private readonly scopes: Tensor[][] = [];

  constructor(options: EngineOptions = {}) {
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`engine: threads must be a positive integer, got ${threads}`);
    this.backend = options.backend ?? "wasm";
    this.threads = this.backend === "wasm" ? threads : 1;
    this.heap = new Heap({ initialPages: options.initialPages ?? 64, shared: this.threads > 1 });
    if (this.backend === "reference") this.kernels = referenceKernels(this.heap);
    else if (this.threads === 1) this.kernels = loadWasmKernels(this.heap);
    else this.kernels = this.threaded = loadThreadedKernels(this.heap, this.threads);
  }

  /**
   * Stops the kernels' helper threads (engines with threads > 1; a no-op otherwise).
   * The engine stays usable, on the calling thread alone. Resolves when the helpers
   * have exited; they never keep a process alive, closed or not.
   */
  close(): Promise<void> {
    return this.threaded?.close() ?? Promise.resolve();
  }

  get isGradEnabled(): boolean {
    return this.gradEnabled;
  }

  /** Runs fn with autograd recording switched off (evaluation, optimizer updates). */
  noGrad<T>(fn: () => T): T {
    const before = this.gradEnabled;
    this.gradEnabled = false;
    try {
      return fn();
    } finally {
      this.gradEnabled = before;
    }
  }

  /**
   * Runs fn and frees every tensor created inside it, except the ones it returns
   * (a tensor, or an array or object of tensors) and the ones passed to keep().
   */
  scope<T>(fn: () => T): T {
    const created: Tensor[] = [];
    this.scopes.push(created);
    let result: T;
    try {
      result = fn();
    } finally {
      this.scopes.pop();
    }
    const survivors = new Set<Tensor>();
    collectTensors(result, survivors);
    const outer = this.scopes[this.scopes.length - 1];
    for (const t of created) {
      if (survivors.has(t)) outer?.push(t);
      else t.dispose();
    }
    return result;
  }

  /** Removes a tensor from the enclosing scopes so it outlives them. */
  keep<T extends Tensor>(t: T): T {
    for (const s of this.scopes) {
      const i = s.indexOf(t);
      if (i >= 0) s.splice(i, 1);
    }
    if (t.base) this.keep(t.base);
    return t;
  }

  /** A new uninitialised tensor (used by ops, which overwrite it). */
  empty(shape: Shape, dtype: DType = "f32", requiresGrad = false): Tensor {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new Error(`empty: invalid shape ${shapeString(shape)}`);
    }
    const ptr = this.heap.alloc(sizeOf(shape) * 4);
    return this.track(new Tensor(this, shape, dtype, ptr, requiresGrad));
  }

  /** A view of `base`'s buffer with another shape of the same size. */
  view(base: Tensor, shape: Shape): Tensor {
    const owner = base.base ?? base;
    return this.track(new Tensor(this, shape, base.dtype, base.ptr, false, owner));
  }

  zeros(shape: Shape, dtype: DType = "f32", requiresGrad = false): Tensor {
    return this.full(shape, 0, dtype, requiresGrad);
  }

  full(shape: Shape, value: number, dtype: DType = "f32", requiresGrad = false): Tensor {
    const t = this.empty(shape, dtype, requiresGrad);
    if (dtype === "f32") this.kernels.fill(t.ptr, value, t.size);
    else this.heap.i32.fill(value, t.ptr / 4, t.ptr / 4 + t.size);
    return t;
  }

  /** A tensor holding a copy of `data`; the shape defaults to 1-D. */
  tensor(data: ArrayLike<number>, shape: Shape = [data.length], dtype: DType = "f32", requiresGrad = false): Tensor {
    if (sizeOf(shape) !== data.length) {
      throw new Error(`tensor: ${data.length} values do not fill shape ${shapeString(shape)}`);
    }
    if (dtype === "i32") {
      for (let i = 0; i < data.length; i++) {
        if (!Number.isInteger(data[i])) throw new Error(`tensor: i32 data holds a non-integer ${data[i]} at ${i}`);
      }
    }
    const t = this.empty(shape, dtype, requiresGrad);
    t.set(data);
    return t;
  }

  /** A parameter: a persistent tensor that requires grad, outside every scope. */
  parameter(data: ArrayLike<number>, shape: Shape): Tensor {
    return this.keep(this.tensor(data, shape, "f32", true));
  }

  private track(t: Tensor): Tensor {
    this.scopes[this.scopes.length - 1]?.push(t);
    return t;
  }
}

function collectTensors(value: unknown, into: Set<Tensor>): void {
  if (value instanceof Tensor) {
    into.add(value);
    if (value.base) into.add(value.base);
  } else if (Array.isArray(value)) {
    for (const v of value) collectTensors(v, into);
  } else if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, into);
  }
}
