// pooling: sequence [P, B, T, d] -> vector, by the mean over positions, the last
// position, or flattening all positions into one vector of T*d features.

import { z } from "zod";
import { F, type Tensor } from "../../engine/index.js";
import { requireSequence } from "./common.js";
import type { UnitDef } from "./unit.js";

export const poolModes = ["mean", "last", "flatten"] as const;
export type PoolMode = (typeof poolModes)[number];

export const poolingSchema = z
  .strictObject({
    unit: z.literal("pooling"),
    mode: z.enum(poolModes).default("mean").describe("mean over positions, the last position (causal summary) or flatten to length*dim features"),
  })
  .describe("sequence -> vector");

export type PoolingConfig = z.output<typeof poolingSchema>;

/** x [P, B, T, d] -> [P, B, d] (mean, last) or [P, B, T*d] (flatten). */
export function poolSequence(x: Tensor, mode: PoolMode): Tensor {
  const [P, B, T, d] = x.shape as [number, number, number, number];
  switch (mode) {
    case "mean":
      return F.mean(x, { axes: [2] });
    case "last":
      return F.reshape(F.slice(x, 2, T - 1, T), [P, B, d]);
    case "flatten":
      return F.reshape(x, [P, B, T * d]);
  }
}

export const pooling: UnitDef<PoolingConfig> = {
  kind: "pooling",
  summary: "sequence -> vector by mean, last position, or flatten (length*dim features)",
  schema: poolingSchema,
  infer(c, input, ctx) {
    const s = requireSequence(input, ctx);
    return { kind: "vector", dim: c.mode === "flatten" ? s.length * s.dim : s.dim };
  },
  paramCount(_c, input, ctx) {
    requireSequence(input, ctx);
    return 0;
  },
  build(c) {
    return { forward: (x) => poolSequence(x, c.mode) };
  },
};
