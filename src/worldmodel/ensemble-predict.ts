// Batched inference of the ensemble network (ensemble.ts): every member's raw
// outputs (predictRaw, for paired what-if comparisons) or their ensemble moments
// (predictMoments, for ordinary predictions). Both run the rows through the net in
// chunks; a chunk of config-only rows skips the prefix block of the first layer
// (its input is all zeros): about 40% less arithmetic for the common query. The
// squashing, exponentials and member averages run on the engine's vector kernels
// and each result leaves the heap in one copy per block: per-element JS loops with
// two Math.exp each cost more than the network itself.

import { F, type Tensor } from "../engine/index.js";
import { CURVE_OUTPUTS, EVENT_OUTPUTS, NET_OUTPUTS, PREFIX_DIMS, squashLogVar, type EnsembleNet } from "./ensemble.js";

export interface RawPrediction {
  /** members x rows x CURVE_OUTPUTS normalized means */
  mean: Float32Array;
  /** members x rows x CURVE_OUTPUTS normalized (aleatoric) variances */
  variance: Float32Array;
  /** members x rows x EVENT_OUTPUTS logits */
  logits: Float32Array;
  rows: number;
}

export interface EnsembleMoments {
  /** rows x CURVE_OUTPUTS: the members' mean of their normalized means */
  mean: Float32Array;
  /** rows x CURVE_OUTPUTS: total normalized variance, the members' mean aleatoric variance plus the variance of their means */
  variance: Float32Array;
  /** rows x EVENT_OUTPUTS: the members' mean probability of each event */
  prob: Float32Array;
  rows: number;
}

/** Whether rows [start, start + n) carry no prefix (the has-prefix flag is the prefix block's last column). */
function configOnly(inputs: Float32Array, IN: number, start: number, n: number): boolean {
  for (let r = start; r < start + n; r++) if (inputs[r * IN + IN - 1] !== 0) return false;
  return true;
}

/**
 * Runs input rows (row-major [rows, inputs]) through the net chunk by chunk and
 * hands `visit` each chunk's outputs [P, n, NET_OUTPUTS] inside a no-grad scope
 * (so everything it derives is freed after it returns).
 */
function forwardChunks(net: EnsembleNet, inputs: Float32Array, rows: number, chunk: number, visit: (out: Tensor, start: number, n: number) => void): void {
  const IN = net.shape.inputs;
  const D = IN - PREFIX_DIMS;
  const engine = net.engine;
  const firstWeight = engine.keep(net.configOnlyWeight());
  try {
    for (let start = 0; start < rows; start += chunk) {
      const n = Math.min(chunk, rows - start);
      engine.noGrad(() => engine.scope(() => {
        let out: Tensor; // [P, n, NET_OUTPUTS]
        if (configOnly(inputs, IN, start, n)) {
          const x = new Float32Array(n * D); // [n, D]
          for (let r = 0; r < n; r++) x.set(inputs.subarray((start + r) * IN, (start + r) * IN + D), r * D);
          out = net.forward(engine.tensor(x, [1, n, D]), firstWeight);
        } else {
          out = net.forward(engine.tensor(inputs.subarray(start * IN, (start + n) * IN), [1, n, IN]));
        }
        visit(out, start, n);
      }));
    }
  } finally {
    firstWeight.dispose();
  }
}

/** Copies t [B, n, width] into rows [start, start + n) of dst [B, rows, width], one block per leading index. */
function copyRows(net: EnsembleNet, t: Tensor, dst: Float32Array, rows: number, start: number, n: number): void {
  const width = t.shape[2]!, heap = net.engine.heap.f32, base = t.ptr / 4;
  for (let b = 0; b < t.shape[0]!; b++) {
    dst.set(heap.subarray(base + b * n * width, base + (b + 1) * n * width), (b * rows + start) * width);
  }
}

/** Every member's outputs for `rows` input rows (row-major [rows, inputs]). */
export function predictRaw(net: EnsembleNet, inputs: Float32Array, rows: number, chunk = 2048): RawPrediction {
  const P = net.shape.members;
  const mean = new Float32Array(P * rows * CURVE_OUTPUTS);
  const variance = new Float32Array(P * rows * CURVE_OUTPUTS);
  const logits = new Float32Array(P * rows * EVENT_OUTPUTS);
  forwardChunks(net, inputs, rows, chunk, (out, start, n) => {
    copyRows(net, F.slice(out, 2, 0, CURVE_OUTPUTS), mean, rows, start, n);
    copyRows(net, F.exp(squashLogVar(F.slice(out, 2, CURVE_OUTPUTS, 2 * CURVE_OUTPUTS))), variance, rows, start, n);
    copyRows(net, F.slice(out, 2, 2 * CURVE_OUTPUTS, NET_OUTPUTS), logits, rows, start, n);
  });
  return { mean, variance, logits, rows };
}

/** The ensemble's moments for `rows` input rows (row-major [rows, inputs]): what a prediction reports. */
export function predictMoments(net: EnsembleNet, inputs: Float32Array, rows: number, chunk = 2048): EnsembleMoments {
  const mean = new Float32Array(rows * CURVE_OUTPUTS);
  const variance = new Float32Array(rows * CURVE_OUTPUTS);
  const prob = new Float32Array(rows * EVENT_OUTPUTS);
  const overMembers = { axes: [0], keepdim: true };
  forwardChunks(net, inputs, rows, chunk, (out, start, n) => {
    const mu = F.slice(out, 2, 0, CURVE_OUTPUTS); // [P, n, CURVE_OUTPUTS]
    const m = F.mean(mu, overMembers); // [1, n, CURVE_OUTPUTS]
    // spread of the means as the mean squared deviation (not E[x^2] - E[x]^2, which cancels in float32)
    const epistemic = F.mean(F.square(F.sub(mu, m)), overMembers);
    const aleatoric = F.mean(F.exp(squashLogVar(F.slice(out, 2, CURVE_OUTPUTS, 2 * CURVE_OUTPUTS))), overMembers);
    copyRows(net, m, mean, rows, start, n);
    copyRows(net, F.add(aleatoric, epistemic), variance, rows, start, n);
    copyRows(net, F.mean(F.sigmoid(F.slice(out, 2, 2 * CURVE_OUTPUTS, NET_OUTPUTS)), overMembers), prob, rows, start, n);
  });
  return { mean, variance, prob, rows };
}
