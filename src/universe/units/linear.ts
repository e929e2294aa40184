// linear: a learned affine map of the feature dim, x @ W + b, applied to a vector or
// to every position of a sequence. Init as PyTorch's nn.Linear.

import { z } from "zod";
import { biasField, linearLayer, linearParamCount, requireFloat, widthField, withDim } from "./common.js";
import type { UnitDef } from "./unit.js";

export const linearSchema = z
  .strictObject({
    unit: z.literal("linear"),
    width: widthField("output features", 64),
    bias: biasField(),
  })
  .describe("affine map of the feature dim (per position on sequences)");

export type LinearConfig = z.output<typeof linearSchema>;

export const linear: UnitDef<LinearConfig> = {
  kind: "linear",
  summary: "affine map x @ W + b of the feature dim (per position on sequences)",
  schema: linearSchema,
  infer(c, input, ctx) {
    return withDim(requireFloat(input, ctx), c.width);
  },
  paramCount(c, input, ctx) {
    return linearParamCount(requireFloat(input, ctx).dim, c.width, c.bias);
  },
  build(c, input, ctx) {
    const layer = linearLayer(ctx, "", requireFloat(input, ctx).dim, c.width, c.bias);
    return { forward: (x) => layer(x) };
  },
};
