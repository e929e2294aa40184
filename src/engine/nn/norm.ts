// Normalization layers as composites of primitives.
// The weight and bias broadcast against x's last axis; a population passes them
// shaped [P, 1, ..., D] so member p's parameters meet member p's activations.

import type { Tensor } from "../tensor.js";
import { add, addScalar, mean, mul, rsqrt, square, sub } from "../ops/functions.js";

/** (x - mean) / sqrt(var + eps) * weight + bias over the last axis (biased variance, as PyTorch). */
export function layerNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  const centered = sub(x, mean(x, { axes: [-1], keepdim: true }));
  const variance = mean(square(centered), { axes: [-1], keepdim: true });
  let y = mul(centered, rsqrt(addScalar(variance, eps)));
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

/** x / sqrt(mean(x^2) + eps) * weight over the last axis. */
export function rmsNorm(x: Tensor, weight: Tensor | null, eps = 1e-6): Tensor {
  const y = mul(x, rsqrt(addScalar(mean(square(x), { axes: [-1], keepdim: true }), eps)));
  return weight ? mul(y, weight) : y;
}
