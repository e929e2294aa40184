// The buffer pool keeps a long training loop at a fixed memory footprint: after a
// short warm-up, 10,000 more steps must not grow the WASM memory or leak buffers.

import { test } from "node:test";
import assert from "node:assert/strict";
import { AdamW, Engine, F, Rng, backward, crossEntropy, layerNorm } from "../../src/engine/index.js";

test("a 10,000-step training loop does not grow memory", () => {
  const engine = new Engine();
  const rng = new Rng(3, 0);
  const init = (n: number, s: number) => Array.from({ length: n }, () => s * rng.normal());
  const emb = engine.parameter(init(10 * 8, 1), [10, 8]);
  const w1 = engine.parameter(init(16 * 16, 0.25), [16, 16]);
  const g = engine.parameter(Array(16).fill(1), [16]);
  const w2 = engine.parameter(init(16 * 10, 0.25), [16, 10]);
  const opt = new AdamW([emb, w1, g, w2], { lr: 1e-3, weightDecay: 0.1, clipNorm: 1 });
  const idx = engine.keep(engine.tensor(Array.from({ length: 12 }, (_, i) => i % 10), [6, 2], "i32"));
  const y = engine.keep(engine.tensor(Array.from({ length: 6 }, (_, i) => (i * 3) % 10), [6], "i32"));
  const step = (): number =>
    engine.scope(() => {
      opt.zeroGrad();
      const h = F.reshape(F.gather(emb, idx), [6, 16]);
      const logits = F.matmul(F.gelu(layerNorm(F.matmul(h, w1), g, null)), w2);
      const loss = crossEntropy(logits, y);
      backward(loss);
      opt.step();
      return loss.item();
    });
  for (let i = 0; i < 50; i++) step();
  const before = engine.heap.stats();
  let last = 0;
  for (let i = 0; i < 10_000; i++) last = step();
  const after = engine.heap.stats();
  assert.ok(Number.isFinite(last));
  assert.equal(after.memoryBytes, before.memoryBytes, "WASM memory grew");
  assert.equal(after.liveBuffers, before.liveBuffers, "live buffers leaked");
  assert.equal(after.liveBytes, before.liveBytes);
});
