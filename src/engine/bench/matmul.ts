// Matmul throughput benchmark, for `toyworld bench matmul`: times one kernel
// backend's matmul at a given shape on one core and reports GFLOP/s.

import type { Heap } from "../heap.js";
import type { Kernels } from "../kernels/kernels.js";

const F = 4; // bytes per float32

/**
 * Measures out[M,N] = op(a) @ op(b) (a stored [K,M] when transA, b stored [N,K] when
 * transB) for about `seconds` of wall time after a warm-up, and returns the rate in
 * GFLOP/s (2*M*K*N flops per call). The buffers are allocated on `heap` and released.
 */
export function measureMatmul(
  kernels: Kernels, heap: Heap,
  M: number, K: number, N: number, transA: boolean, transB: boolean, seconds: number,
): { gflops: number } {
  if (!(M > 0 && K > 0 && N > 0)) throw new Error(`bench matmul: dims must be positive, got ${M}x${K}x${N}`);
  const a = heap.alloc(M * K * F);
  const b = heap.alloc(K * N * F);
  const out = heap.alloc(M * N * F);
  const scratch = heap.alloc(K * N * F);
  try {
    // Deterministic, well-scaled inputs (values in [-1, 1)).
    let s = 12345;
    const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 31) - 1;
    const f = heap.f32;
    for (let i = 0; i < M * K; i++) f[a / F + i] = rand();
    for (let i = 0; i < K * N; i++) f[b / F + i] = rand();
    const tA = transA ? 1 : 0, tB = transB ? 1 : 0;
    const call = () => kernels.matmul(out, a, b, scratch, 1, 0, 0, 0, M, K, N, tA, tB, 0);

    // Warm up (JIT tiers, caches) for ~10% of the budget, at least 3 calls;
    // this also sizes the timed batches to ~10 ms each.
    const warmBudget = Math.max(0.05, seconds * 0.1) * 1000;
    let calls = 0;
    const w0 = performance.now();
    while (calls < 3 || performance.now() - w0 < warmBudget) {
      call();
      calls++;
    }
    const perCall = (performance.now() - w0) / calls;
    const batch = Math.max(1, Math.round(10 / Math.max(perCall, 1e-6)));

    let done = 0;
    const budget = seconds * 1000;
    const t0 = performance.now();
    let elapsed = 0;
    do {
      for (let i = 0; i < batch; i++) call();
      done += batch;
      elapsed = performance.now() - t0;
    } while (elapsed < budget);
    return { gflops: (2 * M * K * N * done) / (elapsed / 1000) / 1e9 };
  } finally {
    heap.release(scratch);
    heap.release(out);
    heap.release(b);
    heap.release(a);
  }
}
