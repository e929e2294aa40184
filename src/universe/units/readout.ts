// readout: projects to the task's output. Classes: logits [P, B, C] for one label per
// example, [P, B, positions, C] for one label per position (the last `positions`
// positions of the sequence). Regression: predictions [P, B, dim]. A sequence is
// pooled (mean or last position) first when the task wants one output per example.
// Init as PyTorch's nn.Linear.

import { z } from "zod";
import { F, type Tensor } from "../../engine/index.js";
import { biasField, describeOutput, describeShape, fail, linearLayer, linearParamCount, requireFloat } from "./common.js";
import { poolSequence } from "./pooling.js";
import type { ActShape, TreeContext, UnitDef } from "./unit.js";

export const readoutSchema = z
  .strictObject({
    unit: z.literal("readout"),
    pool: z.enum(["mean", "last"]).default("mean").describe("how a sequence becomes one vector when the task wants one output per example"),
    bias: biasField(),
  })
  .describe("linear projection to the task's output (logits or regression predictions)");

export type ReadoutConfig = z.output<typeof readoutSchema>;

interface Plan {
  inDim: number;
  outDim: number;
  out: ActShape;
  /** pool a sequence to a vector first */
  pool: boolean;
  /** per position: keep the last `positions` of `length` positions (null: all or not a sequence) */
  keepLast: number | null;
}

function plan(input: ActShape, ctx: TreeContext): Plan {
  const x = requireFloat(input, ctx);
  const o = ctx.output;
  if (o.kind === "regression") return { inDim: x.dim, outDim: o.dim, out: { kind: "vector", dim: o.dim }, pool: x.kind === "sequence", keepLast: null };
  if (o.positions === null) return { inDim: x.dim, outDim: o.classes, out: { kind: "vector", dim: o.classes }, pool: x.kind === "sequence", keepLast: null };
  if (x.kind !== "sequence" || x.length < o.positions) {
    fail(ctx, `a sequence of at least ${o.positions} positions (the task wants ${describeOutput(o)})`, describeShape(x));
  }
  return {
    inDim: x.dim,
    outDim: o.classes,
    out: { kind: "sequence", length: o.positions, dim: o.classes },
    pool: false,
    keepLast: o.positions < x.length ? o.positions : null,
  };
}

export const readout: UnitDef<ReadoutConfig> = {
  kind: "readout",
  summary: "linear projection to the task's output: class logits (per example or per position) or regression predictions",
  schema: readoutSchema,
  infer(_c, input, ctx) {
    return plan(input, ctx).out;
  },
  paramCount(c, input, ctx) {
    const p = plan(input, ctx);
    return linearParamCount(p.inDim, p.outDim, c.bias);
  },
  build(c, input, ctx) {
    const p = plan(input, ctx);
    const layer = linearLayer(ctx, "", p.inDim, p.outDim, c.bias);
    return {
      forward(x: Tensor) {
        let h = x;
        if (p.pool) h = poolSequence(h, c.pool);
        if (p.keepLast !== null) h = F.slice(h, 2, h.shape[2]! - p.keepLast, h.shape[2]!);
        return layer(h);
      },
    };
  },
};
