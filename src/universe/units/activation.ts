// activation: an elementwise nonlinearity; the shape is unchanged.

import { z } from "zod";
import { activationField, applyActivation, requireFloat } from "./common.js";
import type { UnitDef } from "./unit.js";

export const activationSchema = z
  .strictObject({
    unit: z.literal("activation"),
    fn: activationField("relu"),
  })
  .describe("elementwise nonlinearity");

export type ActivationConfig = z.output<typeof activationSchema>;

export const activation: UnitDef<ActivationConfig> = {
  kind: "activation",
  summary: "elementwise nonlinearity (relu, gelu, tanh, silu, sigmoid, identity)",
  schema: activationSchema,
  infer(_c, input, ctx) {
    return requireFloat(input, ctx);
  },
  paramCount(_c, input, ctx) {
    requireFloat(input, ctx);
    return 0;
  },
  build(c) {
    return { forward: (x) => applyActivation(c.fn, x) };
  },
};
