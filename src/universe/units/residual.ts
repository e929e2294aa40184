// residual: x + child(x). The child must keep the shape of its input (checked at
// fit time, with the error at the child's path).

import { z } from "zod";
import { F } from "../../engine/index.js";
import { describeShape, fitError, requireFloat, sameActShape } from "./common.js";
import { childTreeSchema, type UnitTree } from "./tree.js";
import type { UnitDef } from "./unit.js";

export const residualSchema = z
  .strictObject({
    unit: z.literal("residual"),
    child: childTreeSchema.describe("the unit whose output is added to its input; it must keep the input's shape"),
  })
  .describe("skip connection: x + child(x)");

export interface ResidualConfig {
  unit: "residual";
  child: UnitTree;
}

export const residual: UnitDef<ResidualConfig> = {
  kind: "residual",
  summary: "skip connection x + child(x); the child must keep its input's shape",
  schema: residualSchema,
  infer(c, input, ctx) {
    const x = requireFloat(input, ctx, "a vector or sequence input to add to");
    const out = ctx.inferChild(c.child, x, ["child"]);
    if (!sameActShape(out, x)) {
      throw fitError([...ctx.path, "child"], `an output of its input's shape (${describeShape(x)}) inside a residual`, describeShape(out));
    }
    return x;
  },
  paramCount(c, input, ctx) {
    residual.infer(c, input, ctx);
    return ctx.countChild(c.child, input, ["child"]);
  },
  build(c, input, ctx) {
    const child = ctx.buildChild(c.child, input, ["child"]);
    return { forward: (x, f) => F.add(x, child.forward(x, f)) };
  },
};
