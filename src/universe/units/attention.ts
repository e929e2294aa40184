// attention: multi-head self-attention over a sequence (causal by default), with
// query, key, value and output projections [P, dim, dim] and no biases. The heads
// split dim evenly, so heads must divide dim. Init: every projection as PyTorch's
// nn.Linear, uniform(-1/sqrt(dim), 1/sqrt(dim)).

import { z } from "zod";
import { selfAttention } from "../../engine/index.js";
import { fail, requireSequence } from "./common.js";
import type { UnitDef } from "./unit.js";

export const attentionSchema = z
  .strictObject({
    unit: z.literal("attention"),
    heads: z.number().int().min(1).max(64).default(4).describe("attention heads, 1..64; must divide the input dim"),
    causal: z.boolean().default(true).describe("each position attends only to itself and earlier positions"),
  })
  .describe("multi-head self-attention over the sequence axis");

export type AttentionConfig = z.output<typeof attentionSchema>;

export const attention: UnitDef<AttentionConfig> = {
  kind: "attention",
  summary: "multi-head self-attention (causal by default); output has the input's shape",
  schema: attentionSchema,
  infer(c, input, ctx) {
    const s = requireSequence(input, ctx);
    if (s.dim % c.heads !== 0) fail(ctx, `a divisor of dim ${s.dim}`, `${c.heads}`, ["heads"]);
    return s;
  },
  paramCount(c, input, ctx) {
    attention.infer(c, input, ctx);
    const d = requireSequence(input, ctx).dim;
    return 4 * d * d;
  },
  build(c, input, ctx) {
    const d = requireSequence(input, ctx).dim;
    const proj = (name: string) => ctx.param(name, [d, d], { kind: "uniform", bound: 1 / Math.sqrt(d) });
    const wq = proj("wq"), wk = proj("wk"), wv = proj("wv"), wo = proj("wo");
    return { forward: (x) => selfAttention(x, wq, wk, wv, wo, { heads: c.heads, causal: c.causal }) };
  },
};
