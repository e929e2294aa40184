// Causal multi-head self-attention as a composite of primitives.
//
// x: [...L, T, D]. Projection weights wq, wk, wv, wo: [...W, D, D] in x @ W layout,
// where W is a prefix of L (empty for one model, [P] for a population whose
// activations are [P, B, T, D]). Head h uses columns h*dh .. (h+1)*dh of each
// projection, as torch.nn.MultiheadAttention does.

import type { Tensor } from "../tensor.js";
import { add, logSoftmax, exp, matmul, reshape, scale, transpose } from "../ops/functions.js";

/** [T, T] additive mask: 0 where key j <= query i, a large negative number above the diagonal. */
export function causalMask(like: Tensor, T: number): Tensor {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
  return like.engine.tensor(m, [T, T]);
}

export interface AttentionOptions { heads: number; causal?: boolean }

export function selfAttention(x: Tensor, wq: Tensor, wk: Tensor, wv: Tensor, wo: Tensor, o: AttentionOptions): Tensor {
  const D = x.shape[x.rank - 1]!, T = x.shape[x.rank - 2]!;
  const lead = x.shape.slice(0, -2);
  const H = o.heads;
  if (!Number.isInteger(H) || H < 1 || D % H !== 0) {
    throw new Error(`attention: heads ${H} must divide the model dim ${D} (x [${x.shape.join(", ")}])`);
  }
  const dh = D / H;
  const wLead = wq.shape.slice(0, -2);
  if (wLead.some((d, i) => d !== lead[i])) {
    throw new Error(`attention: weight batch dims [${wLead.join(", ")}] must prefix x's [${lead.join(", ")}]`);
  }
  // Flatten everything but the weights' batch dims into rows, so each projection is one matmul per member.
  const rows = lead.slice(wLead.length).reduce((a, b) => a * b, 1) * T;
  const flat = reshape(x, [...wLead, rows, D]);
  const L = lead.length;
  const heads = (w: Tensor): Tensor => {
    const proj = reshape(matmul(flat, w), [...lead, T, H, dh]);
    const perm = [...lead.map((_, i) => i), L + 1, L, L + 2]; // [...L, H, T, dh]
    return transpose(proj, perm);
  };
  const q = heads(wq), k = heads(wk), v = heads(wv);
  let scores = scale(matmul(q, k, { transB: true }), 1 / Math.sqrt(dh)); // [...L, H, T, T]
  if (o.causal ?? true) scores = add(scores, causalMask(x, T));
  const attn = exp(logSoftmax(scores));
  const y = matmul(attn, v); // [...L, H, T, dh]
  const merged = reshape(transpose(y, [...lead.map((_, i) => i), L + 1, L, L + 2]), [...wLead, rows, D]);
  return reshape(matmul(merged, wo), x.shape);
}

/** Causal multi-head self-attention (the engine's attention of choice for sequence models). */
export const causalSelfAttention = (x: Tensor, wq: Tensor, wk: Tensor, wv: Tensor, wo: Tensor, o: { heads: number }): Tensor =>
  selfAttention(x, wq, wk, wv, wo, { heads: o.heads, causal: true });
