// embedding: token ids [P, B, T] -> sequence [P, B, T, dim] through a learned table,
// plus an optional learned positional embedding.
//
// Init: both tables are normal(0, 1) as PyTorch's nn.Embedding (not scaled by
// 1/sqrt(dim)), so every feature starts with unit variance, the scale the
// PyTorch-default linear layers that follow expect; times the member's init scale.

import { z } from "zod";
import { F, type Tensor } from "../../engine/index.js";
import { describeShape, fail, widthField } from "./common.js";
import type { ActShape, TreeContext, UnitDef } from "./unit.js";

export const embeddingSchema = z
  .strictObject({
    unit: z.literal("embedding"),
    dim: widthField("embedding dim of each token", 64),
    positional: z.boolean().default(true).describe("add a learned positional embedding [length, dim]"),
  })
  .describe("token ids -> sequence of learned vectors (with learned positions by default)");

export type EmbeddingConfig = z.output<typeof embeddingSchema>;

function tokenInput(input: ActShape, ctx: TreeContext): Extract<ActShape, { kind: "tokens" }> {
  if (input.kind !== "tokens") fail(ctx, "token input (an embedding reads token ids)", describeShape(input));
  return input;
}

export const embedding: UnitDef<EmbeddingConfig> = {
  kind: "embedding",
  summary: "token ids -> sequence of learned dim-vectors, plus an optional learned positional embedding",
  schema: embeddingSchema,
  infer(c, input, ctx) {
    const t = tokenInput(input, ctx);
    return { kind: "sequence", length: t.length, dim: c.dim };
  },
  paramCount(c, input, ctx) {
    const t = tokenInput(input, ctx);
    return t.vocab * c.dim + (c.positional ? t.length * c.dim : 0);
  },
  build(c, input0, ctx) {
    const input = tokenInput(input0, ctx);
    const table = ctx.param("table", [input.vocab, c.dim], { kind: "normal", std: 1 });
    const pos = c.positional ? ctx.param("positions", [1, input.length, c.dim], { kind: "normal", std: 1 }) : null;
    return {
      forward(x: Tensor) {
        // x: i32 [P, B, T]; member p reads its own rows with its own table
        const h = F.gather(table, x, { perMemberIndex: true }); // [P, B, T, dim]
        return pos ? F.add(h, pos) : h; // pos [P, 1, T, dim]
      },
    };
  },
};
