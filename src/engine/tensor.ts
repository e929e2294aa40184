// Tensors: a shape, a dtype and a pointer into the engine's heap, plus the autograd
// link to the op that produced them. Always contiguous and row-major; ops that change
// the layout (transpose, slice) copy, and reshape makes a view that shares the buffer.

import type { Engine } from "./engine.js";
import type { TapeNode } from "./autograd.js";

export type DType = "f32" | "i32";
export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeString(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export class Tensor {
  readonly size: number;
  /** gradient accumulated by backward() for tensors that require it (leaves only) */
  grad: Tensor | null = null;
  /** the op that produced this tensor, when it was recorded for autograd */
  node: TapeNode | null = null;
  private disposed = false;

  constructor(
    readonly engine: Engine,
    readonly shape: Shape,
    readonly dtype: DType,
    /** byte pointer into engine.heap */
    readonly ptr: number,
    public requiresGrad: boolean,
    /** the tensor whose buffer this one views (reshape), or null if it owns its buffer */
    readonly base: Tensor | null = null,
  ) {
    this.size = sizeOf(shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** A copy of the contents as a typed array. */
  toArray(): Float32Array | Int32Array {
    this.assertLive("toArray");
    const heap = this.engine.heap;
    const start = this.ptr / 4;
    return this.dtype === "f32" ? heap.f32.slice(start, start + this.size) : heap.i32.slice(start, start + this.size);
  }

  /** A copy of the float contents. */
  toFloat32(): Float32Array {
    const a = this.toArray();
    return a instanceof Float32Array ? a : Float32Array.from(a);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: expected a one-element tensor, got shape ${shapeString(this.shape)}`);
    return this.toArray()[0]!;
  }

  /** Overwrites the contents from an array of the same size. */
  set(values: ArrayLike<number>): void {
    this.assertLive("set");
    if (values.length !== this.size) {
      throw new Error(`set: expected ${this.size} values for shape ${shapeString(this.shape)}, got ${values.length}`);
    }
    const heap = this.engine.heap;
    if (this.dtype === "f32") heap.f32.set(values, this.ptr / 4);
    else heap.i32.set(values, this.ptr / 4);
  }

  /** Frees the buffer now (views free nothing). Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.base === null) this.engine.heap.release(this.ptr);
    if (this.grad) this.grad.dispose();
    this.grad = null;
    this.node = null;
  }

  assertLive(what: string): void {
    if (this.disposed || (this.base !== null && this.base.disposed)) {
      throw new Error(`${what}: tensor of shape ${shapeString(this.shape)} was already disposed`);
    }
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${shapeString(this.shape)})`;
  }
}
