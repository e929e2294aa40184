// norm: layer norm (gain and bias) or RMS norm (gain only) over the feature dim, or
// none (identity, so a config can switch normalization off). Gains start at 1 and
// biases at 0, unaffected by the member's init scale.

import { z } from "zod";
import { layerNorm, rmsNorm } from "../../engine/index.js";
import { broadcastFeature, requireFloat } from "./common.js";
import type { UnitDef } from "./unit.js";

export const normSchema = z
  .strictObject({
    unit: z.literal("norm"),
    kind: z.enum(["layer", "rms", "none"]).default("layer").describe("layer (mean and variance, gain and bias), rms (gain only) or none"),
    eps: z.number().min(1e-12).max(1e-1).default(1e-5).describe("added to the variance (mean square for rms), 1e-12..0.1"),
  })
  .describe("normalization over the feature dim");

export type NormConfig = z.output<typeof normSchema>;

export const norm: UnitDef<NormConfig> = {
  kind: "norm",
  summary: "layer or RMS normalization over the feature dim (or none)",
  schema: normSchema,
  infer(_c, input, ctx) {
    return requireFloat(input, ctx);
  },
  paramCount(c, input, ctx) {
    const d = requireFloat(input, ctx).dim;
    return c.kind === "layer" ? 2 * d : c.kind === "rms" ? d : 0;
  },
  build(c, input, ctx) {
    const d = requireFloat(input, ctx).dim;
    if (c.kind === "none") return { forward: (x) => x };
    const gain = ctx.param("gain", [d], { kind: "constant", value: 1, unscaled: true });
    if (c.kind === "rms") return { forward: (x) => rmsNorm(x, broadcastFeature(gain, x), c.eps) };
    const bias = ctx.param("bias", [d], { kind: "constant", value: 0, unscaled: true });
    return { forward: (x) => layerNorm(x, broadcastFeature(gain, x), broadcastFeature(bias, x), c.eps) };
  },
};
