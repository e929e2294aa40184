// Matrix multiplication with optional transposes and broadcast batch dims.
//
// a: [...batchA, M, K] (or [..., K, M] with transA), b: [...batchB, K, N] (or [..., N, K]
// with transB). The batch dims broadcast; a side whose batch is all ones is shared by
// every batch entry (stride 0). This is how a population of P models, weights
// [P, K, N], multiplies one shared data batch [B, K]: member p's product uses
// exactly the arithmetic it would use alone.

import type { Tensor } from "../tensor.js";
import { broadcastShapes, sameShape } from "./layout.js";
import { rawExpand } from "./raw.js";
import { ShapeError, expectCount, expectDtype, type MatmulAttrs, type Rule } from "./rule.js";

interface MatmulPlan {
  batchShape: number[];
  batch: number;
  M: number;
  K: number;
  N: number;
}

function plan(a: Tensor, b: Tensor, { transA, transB }: MatmulAttrs, inputs: Tensor[]): MatmulPlan {
  if (a.rank < 2 || b.rank < 2) throw new ShapeError("matmul", "both inputs need at least 2 dims", inputs);
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const M = transA ? ac : ar, K = transA ? ar : ac;
  const Kb = transB ? bc : br, N = transB ? br : bc;
  if (K !== Kb) {
    throw new ShapeError("matmul", `inner dims differ: ${K} vs ${Kb} (transA=${transA}, transB=${transB})`, inputs);
  }
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (!batchShape) throw new ShapeError("matmul", "batch dims do not broadcast", inputs);
  return { batchShape, batch: batchShape.reduce((x, y) => x * y, 1), M, K, N };
}

/** A side's batch stride: its matrix size when it has the full batch, 0 when shared. */
function batchStride(t: Tensor, p: MatmulPlan): number | null {
  const own = t.shape.slice(0, -2);
  if (own.every((d) => d === 1)) return 0;
  const padded = [...new Array<number>(p.batchShape.length - own.length).fill(1), ...own];
  return sameShape(padded, p.batchShape) ? t.shape[t.rank - 1]! * t.shape[t.rank - 2]! : null;
}

/** Brings a side with a partly broadcast batch (e.g. [P,1,..] against [1,H,..]) to the full batch. */
function fullBatch(t: Tensor, p: MatmulPlan): Tensor {
  return rawExpand(t, [...p.batchShape, ...t.shape.slice(-2)]);
}

/**
 * out (+)= op(a) @ op(b) over the plan's batch, with a scratch buffer for packing.
 * outStride 0 sums every batch entry into one matrix (the gradient of a shared side).
 */
export function matmulInto(
  out: Tensor, outStride: number, a: Tensor, b: Tensor,
  transA: boolean, transB: boolean, p: MatmulPlan, accumulate: boolean,
): void {
  const engine = out.engine;
  let sa = batchStride(a, p), sb = batchStride(b, p);
  if (sa === null) (a = fullBatch(a, p)), (sa = p.M * p.K);
  if (sb === null) (b = fullBatch(b, p)), (sb = p.K * p.N);
  const scratch = transB ? engine.heap.alloc(p.K * p.N * 4) : 0;
  engine.kernels.matmul(out.ptr, a.ptr, b.ptr, scratch, p.batch, sa, sb, outStride,
    p.M, p.K, p.N, transA ? 1 : 0, transB ? 1 : 0, accumulate ? 1 : 0);
  if (transB) engine.heap.release(scratch);
}

/** The gradient for a side with shape `shape`: full batch, or summed over the batch when shared. */
function gradFor(side: Tensor, rows: number, cols: number, p: MatmulPlan): { grad: Tensor; stride: number } {
  const engine = side.engine;
  const grad = engine.empty(side.shape);
  const shared = batchStride(side, p) === 0;
  if (shared || batchStride(side, p) !== null) return { grad, stride: shared ? 0 : rows * cols };
  throw new Error(`matmul backward: partly broadcast batch ${side.shape.join("x")} is not supported`);
}

export const matmul: Rule<"matmul"> = {
  forward(inputs, attrs) {
    expectCount("matmul", inputs, 2);
    expectDtype("matmul", inputs, 0, "f32");
    expectDtype("matmul", inputs, 1, "f32");
    const [a, b] = inputs as [Tensor, Tensor];
    const p = plan(a, b, attrs, inputs);
    const out = a.engine.empty([...p.batchShape, p.M, p.N]);
    matmulInto(out, p.M * p.N, a, b, attrs.transA, attrs.transB, p, false);
    return out;
  },
  backward(_out, g, [a, b], { transA, transB }) {
    const p = plan(a!, b!, { transA, transB }, [a!, b!]);
    let da: Tensor | null = null, db: Tensor | null = null;
    if (a!.requiresGrad) {
      // stored a is [M,K] (or [K,M] with transA)
      const { grad, stride } = gradFor(a!, p.M, p.K, p);
      if (!transA) {
        // dA[M,K] = dC[M,N] @ op(B)^T
        matmulInto(grad, stride, g, b!, false, !transB, { ...p, K: p.N, N: p.K }, false);
      } else {
        // dA_stored[K,M] = op(B)[K,N] @ dC^T
        matmulInto(grad, stride, b!, g, transB, true, { ...p, M: p.K, K: p.N, N: p.M }, false);
      }
      da = grad;
    }
    if (b!.requiresGrad) {
      const { grad, stride } = gradFor(b!, p.K, p.N, p);
      if (!transB) {
        // dB[K,N] = op(A)^T @ dC
        matmulInto(grad, stride, a!, g, !transA, false, { ...p, M: p.K, K: p.M, N: p.N }, false);
      } else {
        // dB_stored[N,K] = dC^T @ op(A)
        matmulInto(grad, stride, g, a!, true, transA, { ...p, M: p.N, K: p.M, N: p.K }, false);
      }
      db = grad;
    }
    return [da, db];
  },
};
