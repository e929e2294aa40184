// random-features: a fixed random feature map, fn(x @ W / sqrt(in)) with W ~ N(0, 1)
// drawn once from the unit's own seed and never trained (Rahimi & Recht 2007). A
// random-features regression is this unit followed by a readout: only the readout
// learns, which is the linear model of the model-wise double-descent papers
// (Belkin et al. 2019; Mei & Montanari 2019). W is a constant tensor, not a
// parameter: the optimizer never sees it and it counts no parameters. Every member
// of a population gets the same W (it is part of the model, like the width; the
// member's init seed only draws the readout).

import { z } from "zod";
import { F, Rng } from "../../engine/index.js";
import { activationField, applyActivation, pathHash, requireFloat, widthField, withDim } from "./common.js";
import type { UnitDef } from "./unit.js";

export const randomFeaturesSchema = z
  .strictObject({
    unit: z.literal("random-features"),
    width: widthField("number of random features", 64),
    fn: activationField("relu"),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0).describe("seed of the fixed projection (shared by all members)"),
  })
  .describe("fixed, untrained random projection plus a nonlinearity (random-features models)");

export type RandomFeaturesConfig = z.output<typeof randomFeaturesSchema>;

/** One member's projection [in, width], N(0, 1/in), as a pure function of (seed, path). */
export function randomProjection(inDim: number, width: number, seed: number, pathKey: number): Float32Array {
  const rng = new Rng(seed, pathKey);
  const std = 1 / Math.sqrt(inDim);
  const w = new Float32Array(inDim * width);
  for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
  return w;
}

export const randomFeatures: UnitDef<RandomFeaturesConfig> = {
  kind: "random-features",
  summary: "fixed random projection x @ W (W ~ N(0, 1/in), not trained) followed by a nonlinearity",
  schema: randomFeaturesSchema,
  infer(c, input, ctx) {
    return withDim(requireFloat(input, ctx), c.width);
  },
  paramCount(_c, input, ctx) {
    requireFloat(input, ctx);
    return 0;
  },
  build(c, input, ctx) {
    const inDim = requireFloat(input, ctx).dim;
    const one = randomProjection(inDim, c.width, c.seed, pathHash(ctx.path) % 0x7fffffff);
    const all = new Float32Array(ctx.members * one.length);
    for (let m = 0; m < ctx.members; m++) all.set(one, m * one.length);
    // kept outside every scope, like a parameter, but without requiring grad
    const w = ctx.engine.keep(ctx.engine.tensor(all, [ctx.members, inDim, c.width]));
    return {
      forward(x) {
        const flat = x.rank === 3 ? x : F.reshape(x, [x.shape[0]!, x.size / (x.shape[0]! * inDim), inDim]);
        const y = applyActivation(c.fn, F.matmul(flat, w));
        return x.rank === 3 ? y : F.reshape(y, [...x.shape.slice(0, -1), c.width]);
      },
    };
  },
};
