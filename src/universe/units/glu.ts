// glu: gated linear unit, act(x @ Wg + bg) * (x @ Wu + bu) with `width` features;
// with `out` set, a final projection to `out` features follows (the gated FFN of
// SwiGLU/GEGLU transformers). Sigmoid gives Dauphin et al.'s GLU, silu SwiGLU, gelu
// GEGLU. Per position on sequences. Init as PyTorch's nn.Linear.

import { z } from "zod";
import { F } from "../../engine/index.js";
import {
  activationField, applyActivation, biasField, linearLayer, linearParamCount, MAX_WIDTH, requireFloat, widthField, withDim,
} from "./common.js";
import type { UnitDef } from "./unit.js";

export const gluSchema = z
  .strictObject({
    unit: z.literal("glu"),
    width: widthField("gated features (the output unless `out` is set)", 64),
    activation: activationField("sigmoid"),
    bias: biasField(),
    out: z.number().int().min(1).max(MAX_WIDTH).optional().describe(`if set, project the gated features to this many outputs, 1..${MAX_WIDTH}`),
  })
  .describe("gated linear unit act(x Wg) * (x Wu), optionally projected to `out` features");

export type GluConfig = z.output<typeof gluSchema>;

export const glu: UnitDef<GluConfig> = {
  kind: "glu",
  summary: "gated linear unit act(x Wg + bg) * (x Wu + bu), optionally followed by a projection to out features",
  schema: gluSchema,
  infer(c, input, ctx) {
    return withDim(requireFloat(input, ctx), c.out ?? c.width);
  },
  paramCount(c, input, ctx) {
    const d = requireFloat(input, ctx).dim;
    const down = c.out === undefined ? 0 : linearParamCount(c.width, c.out, c.bias);
    return 2 * linearParamCount(d, c.width, c.bias) + down;
  },
  build(c, input, ctx) {
    const d = requireFloat(input, ctx).dim;
    const gate = linearLayer(ctx, "gate", d, c.width, c.bias);
    const up = linearLayer(ctx, "up", d, c.width, c.bias);
    const down = c.out === undefined ? null : linearLayer(ctx, "down", c.width, c.out, c.bias);
    return {
      forward(x) {
        const h = F.mul(applyActivation(c.activation, gate(x)), up(x));
        return down ? down(h) : h;
      },
    };
  },
};
