// token-mixing: an MLP across the sequence axis (MLP-Mixer style). Every feature
// channel's length-T column goes through T -> width -> T with the activation in
// between; weights are shared over channels. The output has the input's shape, so
// it is usually wrapped in a residual after a norm. Not causal: every position
// sees every other. Init as PyTorch's nn.Linear.

import { z } from "zod";
import { F, type Tensor } from "../../engine/index.js";
import { activationField, applyActivation, biasField, linearLayer, linearParamCount, requireSequence, widthField } from "./common.js";
import type { UnitDef } from "./unit.js";

export const tokenMixingSchema = z
  .strictObject({
    unit: z.literal("token-mixing"),
    width: widthField("hidden features of the MLP across positions", 64),
    activation: activationField("gelu"),
    bias: biasField(),
  })
  .describe("MLP across the sequence axis, shared by the feature channels (MLP-Mixer token mixing)");

export type TokenMixingConfig = z.output<typeof tokenMixingSchema>;

export const tokenMixing: UnitDef<TokenMixingConfig> = {
  kind: "token-mixing",
  summary: "MLP across the sequence axis (length -> width -> length), shared by the channels; not causal",
  schema: tokenMixingSchema,
  infer(_c, input, ctx) {
    return requireSequence(input, ctx);
  },
  paramCount(c, input, ctx) {
    const T = requireSequence(input, ctx).length;
    return linearParamCount(T, c.width, c.bias) + linearParamCount(c.width, T, c.bias);
  },
  build(c, input, ctx) {
    const { length: T, dim: D } = requireSequence(input, ctx);
    const up = linearLayer(ctx, "up", T, c.width, c.bias);
    const down = linearLayer(ctx, "down", c.width, T, c.bias);
    return {
      forward(x: Tensor) {
        const [P, B] = x.shape as [number, number];
        const cols = F.reshape(F.transpose(x, [0, 1, 3, 2]), [P, B * D, T]); // [P, B*D, T]
        const mixed = down(applyActivation(c.activation, up(cols)));
        return F.transpose(F.reshape(mixed, [P, B, D, T]), [0, 1, 3, 2]);
      },
    };
  },
};
