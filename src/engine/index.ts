// The engine's public surface: tensors, the differentiable functions, composite
// layers, optimizers and schedules, random numbers. Nothing here imports from
// outside src/engine.

export { Engine, type Backend, type EngineOptions } from "./engine.js";
export { Tensor, sizeOf, shapeString, type DType, type Shape } from "./tensor.js";
export { backward } from "./autograd.js";
export * as F from "./ops/functions.js";
export { ShapeError, type Op } from "./ops/rule.js";
export { crossEntropy, dropout, mse, silu, softmax } from "./nn/functional.js";
export { layerNorm, rmsNorm } from "./nn/norm.js";
export { causalSelfAttention, selfAttention } from "./nn/attention.js";
export * from "./optim/index.js";
export { Rng, Stream, hash3 } from "./rng.js";
export type { Kernels } from "./kernels/kernels.js";
