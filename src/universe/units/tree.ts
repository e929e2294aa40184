// The unit tree type, and the lazily-set holder through which container units
// (residual, sequential) refer to the whole tree schema without importing
// units/index.ts (which imports them): index.ts sets the holder when it loads.
// Only types are imported from the unit files, so there is no runtime cycle.

import { z } from "zod";
import type { ActivationConfig } from "./activation.js";
import type { AttentionConfig } from "./attention.js";
import type { DropoutConfig } from "./dropout.js";
import type { EmbeddingConfig } from "./embedding.js";
import type { GluConfig } from "./glu.js";
import type { LinearConfig } from "./linear.js";
import type { MlpConfig } from "./mlp.js";
import type { NormConfig } from "./norm.js";
import type { PoolingConfig } from "./pooling.js";
import type { RandomFeaturesConfig } from "./random-features.js";
import type { ReadoutConfig } from "./readout.js";
import type { ResidualConfig } from "./residual.js";
import type { SequentialConfig } from "./sequential.js";
import type { TokenMixingConfig } from "./token-mixing.js";

/** A parsed unit tree (every default filled in). */
export type UnitTree =
  | ActivationConfig
  | AttentionConfig
  | DropoutConfig
  | EmbeddingConfig
  | GluConfig
  | LinearConfig
  | MlpConfig
  | NormConfig
  | PoolingConfig
  | RandomFeaturesConfig
  | ReadoutConfig
  | ResidualConfig
  | SequentialConfig
  | TokenMixingConfig;

export type UnitKind = UnitTree["unit"];

let treeSchema: z.ZodType<UnitTree> | null = null;

/** Called once by units/index.ts. */
export function setTreeSchema(schema: z.ZodType<UnitTree>): void {
  treeSchema = schema;
}

/** The whole tree schema, resolved on first use (for container children). */
export const childTreeSchema: z.ZodType<UnitTree> = z.lazy(() => {
  if (!treeSchema) throw new Error("unit tree schema used before src/universe/units/index.ts was loaded");
  return treeSchema;
});
