// Entry point of the WASM-SIMD kernels (build/kernels.wasm, loaded by
// src/engine/kernels/wasm.ts). Every kernel works on f32 / i32 buffers in the
// imported memory (env.memory, owned by the engine's Heap) addressed by byte
// pointers, llm.c style: outputs first, inputs next, dims last.
//
// The module keeps no state between calls. Its static data (math tables and a few
// scratch areas: the collapsed view of strided.ts, matmul's packed A panels, ...)
// must end inside the first 64 KiB page, which the heap leaves to it; staticEnd is
// checked at load time. Several instances may share one memory (the threaded
// kernels, src/engine/kernels/threaded.ts): the math tables are then written again,
// with the same bytes, by every instantiation, and each instance but the first moves
// matmul's scratch out of the static data with setMatmulScratch, so that matmulPart
// can run in all of them at once. The scratch areas are written before being read, so they
// need no initial contents (asconfig's zeroFilledMemory drops their zero segments).

export { fill, affine, clamp, clampBackward, where } from "./elementwise";
export { matmul, matmulPart, matmulPacksB, packB, matmulScratchBytes, setMatmulScratch, setPackedA, packedABytes } from "./matmul";
export { binary } from "./binary";
export { unary, unaryBackward } from "./unary";
export { copyStrided } from "./strided";
export { reduceSum, reduceMax, reduceMaxBackward, sumSquares, countNonFinite } from "./reduce";
export { logSoftmax, logSoftmaxBackward } from "./softmax";
export { gather, gatherBackward, pick, pickBackward } from "./gather";
export { sgdStep, adamStep } from "./optim";

/** End of the module's static data (and of anything the runtime stub could place): must be <= 65536. */
export function staticEnd(): usize {
  return __heap_base;
}
