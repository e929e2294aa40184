// The unit registry and the recursive unit-tree schema.
//
// Conventions shared by every unit:
// - Activations are [P, B, ...]: population first, then batch. Tokens are i32
//   [P, B, T]; vectors f32 [P, B, dim]; sequences f32 [P, B, T, dim].
// - Parameters are [P, ...] (BuildContext.param adds the member axis). A linear
//   layer's weight is [P, in, out] (x @ W), its bias [P, 1, out]; a sequence is
//   viewed as [P, B*T, d] so each matmul has batch dims [P] on both sides.
//   Norm gains and biases are [P, d], viewed as [P, 1, (1,) d] to broadcast.
// - Init follows PyTorch defaults, times the member's init scale: linear weights
//   and biases (and attention, token-mixing, glu and readout projections)
//   uniform(-1/sqrt(in), 1/sqrt(in)); embeddings (token and positional) normal(0, 1);
//   norm gains 1 and biases 0 (not scaled).
//
// Adding a unit: write units/<kind>.ts exporting its schema, config type and
// UnitDef; add the config type to UnitTree in tree.ts, the def to `units` and the
// schema to `unitTreeSchema` below (each omission is a compile error).

import { z } from "zod";
import { activation, activationSchema } from "./activation.js";
import { attention, attentionSchema } from "./attention.js";
import { dropout, dropoutSchema } from "./dropout.js";
import { embedding, embeddingSchema } from "./embedding.js";
import { glu, gluSchema } from "./glu.js";
import { linear, linearSchema } from "./linear.js";
import { mlp, mlpSchema } from "./mlp.js";
import { norm, normSchema } from "./norm.js";
import { pooling, poolingSchema } from "./pooling.js";
import { randomFeatures, randomFeaturesSchema } from "./random-features.js";
import { readout, readoutSchema } from "./readout.js";
import { residual, residualSchema } from "./residual.js";
import { sequential, sequentialSchema } from "./sequential.js";
import { tokenMixing, tokenMixingSchema } from "./token-mixing.js";
import { setTreeSchema, type UnitKind, type UnitTree } from "./tree.js";
import type { UnitConfigBase, UnitDef } from "./unit.js";

export type { UnitKind, UnitTree } from "./tree.js";
export { UnitFitError, type ActShape, type BuildContext, type BuiltUnit, type ForwardContext, type ParamInit, type TreeContext, type UnitConfigBase, type UnitDef } from "./unit.js";
export { describeOutput, describeShape, fitError, formatPath } from "./common.js";

export type UnitConfigOf<K extends UnitKind> = Extract<UnitTree, { unit: K }>;

/** Every unit kind; a kind of UnitTree without an entry here is a compile error. */
export const units: { [K in UnitKind]: UnitDef<UnitConfigOf<K>> } = {
  activation,
  attention,
  dropout,
  embedding,
  glu,
  linear,
  mlp,
  norm,
  pooling,
  "random-features": randomFeatures,
  readout,
  residual,
  sequential,
  "token-mixing": tokenMixing,
};

export const unitKinds = Object.keys(units) as UnitKind[];

/** The def of a kind name, or undefined for an unknown name. */
export function unitDef(kind: string): UnitDef<UnitConfigBase> | undefined {
  return Object.hasOwn(units, kind) ? (units[kind as UnitKind] as unknown as UnitDef<UnitConfigBase>) : undefined;
}

/** A model tree: a discriminated union on `unit`; containers refer back to it lazily. */
export const unitTreeSchema = z
  .discriminatedUnion("unit", [
    activationSchema,
    attentionSchema,
    dropoutSchema,
    embeddingSchema,
    gluSchema,
    linearSchema,
    mlpSchema,
    normSchema,
    poolingSchema,
    randomFeaturesSchema,
    readoutSchema,
    residualSchema,
    sequentialSchema,
    tokenMixingSchema,
  ])
  .describe("a model as a tree of units, discriminated by `unit`");

/** What a config file may hold (defaults not yet filled in). */
export type UnitTreeInput = z.input<typeof unitTreeSchema>;

// Compile-time checks that the schema union and UnitTree cover the same kinds.
type SchemaKind = z.output<typeof unitTreeSchema>["unit"];
const everyKindHasASchema: [Exclude<UnitKind, SchemaKind>] extends [never] ? true : never = true;
void everyKindHasASchema;

setTreeSchema(unitTreeSchema);
