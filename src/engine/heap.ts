// The engine's memory: one WebAssembly.Memory shared by the WASM kernels and the
// TypeScript reference kernels, with a size-class buffer pool on top.
//
// A heap made with `shared: true` (an engine with threads > 1) has a shared memory
// (its buffer is a SharedArrayBuffer) that helper threads instantiate the kernels
// on too. Such a memory needs a maximum; it only reserves address space. Growing it
// works as for the unshared memory: every thread sees the new size, and the views
// here are refreshed.
//
// Why a pool: a training step allocates the same set of buffer sizes every time.
// Freed buffers go back to a free list of their size class and the next step reuses
// them, so a long training loop reaches a steady state and the memory stops growing.
// Memory never shrinks (WebAssembly cannot), so reuse is what keeps it bounded.

const PAGE_BYTES = 65536;
/** The first page is left to the WASM module's own static data. */
const HEAP_BASE = PAGE_BYTES;
const MIN_CLASS_BYTES = 64;
/** The maximum of a shared memory: 4 GiB, the whole 32-bit address space (as the unshared one may grow to). */
export const SHARED_MAX_PAGES = 65536;

export interface HeapOptions {
  /** initial memory in 64 KiB pages (default 64) */
  initialPages?: number;
  /** a shared memory, for kernels running on several threads (default false) */
  shared?: boolean;
}

/** Size classes are powers of two from 64 bytes, so alignment is at least 16 bytes (v128). */
function sizeClassOf(bytes: number): number {
  let size = MIN_CLASS_BYTES;
  while (size < bytes) size *= 2;
  return size;
}

export interface HeapStats {
  /** bytes of the linear memory */
  memoryBytes: number;
  /** bytes handed out to live buffers (rounded to their size class) */
  liveBytes: number;
  liveBuffers: number;
  /** bytes parked in free lists, ready for reuse */
  pooledBytes: number;
}

export class Heap {
  readonly memory: WebAssembly.Memory;
  /** whether the memory is shared (its buffer a SharedArrayBuffer) */
  readonly shared: boolean;
  f32: Float32Array;
  i32: Int32Array;
  private top = HEAP_BASE;
  private readonly free = new Map<number, number[]>();
  private readonly classOf = new Map<number, number>();
  private liveBytes = 0;

  constructor(options: number | HeapOptions = {}) {
    const o = typeof options === "number" ? { initialPages: options } : options;
    const initial = o.initialPages ?? 64;
    this.shared = o.shared ?? false;
    this.memory = this.shared
      ? new WebAssembly.Memory({ initial, maximum: SHARED_MAX_PAGES, shared: true })
      : new WebAssembly.Memory({ initial });
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }

  /** Returns a 16-byte aligned byte pointer to at least `bytes` bytes (contents undefined). */
  alloc(bytes: number): number {
    const size = sizeClassOf(Math.max(bytes, 1));
    const list = this.free.get(size);
    let ptr = list?.pop();
    if (ptr === undefined) {
      ptr = this.top;
      this.top += size;
      this.ensure(this.top);
    }
    this.classOf.set(ptr, size);
    this.liveBytes += size;
    return ptr;
  }

  /** Returns a buffer to its size class's free list. */
  release(ptr: number): void {
    const size = this.classOf.get(ptr);
    if (size === undefined) throw new Error(`heap: release of unknown pointer ${ptr}`);
    this.classOf.delete(ptr);
    this.liveBytes -= size;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(ptr);
  }

  /** Grows the memory so that byte `end` is addressable, and refreshes the views. */
  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE_BYTES);
    // Grow by at least a quarter of the current size, so growth is amortized.
    // A shared memory cannot pass its maximum: then grow by just what is needed.
    const want = Math.max(pages, Math.ceil(have / PAGE_BYTES / 4));
    const room = this.shared ? SHARED_MAX_PAGES - have / PAGE_BYTES : want;
    this.memory.grow(Math.max(pages, Math.min(want, room)));
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }

  stats(): HeapStats {
    let pooledBytes = 0;
    for (const [size, list] of this.free) pooledBytes += size * list.length;
    return {
      memoryBytes: this.memory.buffer.byteLength,
      liveBytes: this.liveBytes,
      liveBuffers: this.classOf.size,
      pooledBytes,
    };
  }
}
