// dropout: inverted dropout while training, identity in evaluation. Member m's mask
// depends only on its dropout seed, this unit's path in the tree and the step, so it
// is the same alone or in a population, and two dropout units never share a mask.

import { z } from "zod";
import { Stream, dropout as dropoutFn } from "../../engine/index.js";
import { requireFloat, unitSeeds } from "./common.js";
import type { UnitDef } from "./unit.js";

export const dropoutSchema = z
  .strictObject({
    unit: z.literal("dropout"),
    p: z.number().min(0).max(0.9).default(0.1).describe("probability of zeroing each feature while training, 0..0.9"),
  })
  .describe("inverted dropout while training");

export type DropoutConfig = z.output<typeof dropoutSchema>;

export const dropout: UnitDef<DropoutConfig> = {
  kind: "dropout",
  summary: "inverted dropout with probability p while training; identity in evaluation",
  schema: dropoutSchema,
  infer(_c, input, ctx) {
    return requireFloat(input, ctx);
  },
  paramCount(_c, input, ctx) {
    requireFloat(input, ctx);
    return 0;
  },
  build(c, _input, ctx) {
    const path = [...ctx.path];
    const members = ctx.members;
    let cached: { from: readonly number[]; seeds: number[] } | null = null;
    return {
      forward(x, f) {
        if (!f.training || c.p === 0) return x;
        if (f.dropoutSeeds.length !== members) {
          throw new Error(`dropout at ${path.join(".") || "root"}: ${f.dropoutSeeds.length} dropout seeds for ${members} members`);
        }
        if (cached?.from !== f.dropoutSeeds) cached = { from: f.dropoutSeeds, seeds: unitSeeds(f.dropoutSeeds, Stream.dropout, path) };
        return dropoutFn(x, { p: c.p, seeds: cached.seeds, step: f.step });
      },
    };
  },
};
