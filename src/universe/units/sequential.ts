// sequential: children applied one after another; each child's input is the previous
// child's output.

import { z } from "zod";
import { childTreeSchema, type UnitTree } from "./tree.js";
import type { BuiltUnit, UnitDef } from "./unit.js";

export const sequentialSchema = z
  .strictObject({
    unit: z.literal("sequential"),
    children: z.array(childTreeSchema).min(1).max(256).describe("units applied in order, 1..256"),
  })
  .describe("units applied one after another");

export interface SequentialConfig {
  unit: "sequential";
  children: UnitTree[];
}

export const sequential: UnitDef<SequentialConfig> = {
  kind: "sequential",
  summary: "children applied in order",
  schema: sequentialSchema,
  infer(c, input, ctx) {
    return c.children.reduce((shape, child, i) => ctx.inferChild(child, shape, ["children", i]), input);
  },
  paramCount(c, input, ctx) {
    let shape = input, n = 0;
    c.children.forEach((child, i) => {
      n += ctx.countChild(child, shape, ["children", i]);
      shape = ctx.inferChild(child, shape, ["children", i]);
    });
    return n;
  },
  build(c, input, ctx) {
    let shape = input;
    const built: BuiltUnit[] = c.children.map((child, i) => {
      const b = ctx.buildChild(child, shape, ["children", i]);
      shape = ctx.inferChild(child, shape, ["children", i]);
      return b;
    });
    return { forward: (x, f) => built.reduce((h, b) => b.forward(h, f), x) };
  },
};
