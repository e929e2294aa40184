// mlp: `depth` hidden layers of `width` features, each followed by the activation,
// then an output layer of `out` features (default `width`) without activation.
// Applied to a vector or to every position of a sequence.

import { z } from "zod";
import {
  activationField, applyActivation, biasField, linearLayer, linearParamCount, MAX_WIDTH, requireFloat, widthField, withDim,
} from "./common.js";
import type { UnitDef } from "./unit.js";

export const mlpSchema = z
  .strictObject({
    unit: z.literal("mlp"),
    width: widthField("features of each hidden layer (and of the output unless `out` is set)", 64),
    depth: z.number().int().min(0).max(8).default(1).describe("hidden layers (each linear + activation), 0..8; 0 is one linear layer"),
    activation: activationField("relu"),
    bias: biasField(),
    out: z.number().int().min(1).max(MAX_WIDTH).optional().describe(`output features, 1..${MAX_WIDTH}; default: width`),
  })
  .describe("multilayer perceptron over the feature dim (per position on sequences)");

export type MlpConfig = z.output<typeof mlpSchema>;

/** The feature sizes of the layers: input, depth hidden widths, output. */
function sizes(c: MlpConfig, inDim: number): number[] {
  return [inDim, ...new Array<number>(c.depth).fill(c.width), c.out ?? c.width];
}

export const mlp: UnitDef<MlpConfig> = {
  kind: "mlp",
  summary: "depth hidden layers (linear + activation) of width features, then a linear output of out (or width) features",
  schema: mlpSchema,
  infer(c, input, ctx) {
    return withDim(requireFloat(input, ctx), c.out ?? c.width);
  },
  paramCount(c, input, ctx) {
    const s = sizes(c, requireFloat(input, ctx).dim);
    let n = 0;
    for (let i = 0; i + 1 < s.length; i++) n += linearParamCount(s[i]!, s[i + 1]!, c.bias);
    return n;
  },
  build(c, input, ctx) {
    const s = sizes(c, requireFloat(input, ctx).dim);
    const layers = s.slice(0, -1).map((inDim, i) => linearLayer(ctx, `layers[${i}]`, inDim, s[i + 1]!, c.bias));
    return {
      forward(x) {
        let h = x;
        layers.forEach((layer, i) => {
          h = layer(h);
          if (i + 1 < layers.length) h = applyActivation(c.activation, h);
        });
        return h;
      },
    };
  },
};
