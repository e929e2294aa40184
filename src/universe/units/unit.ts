// What a unit is: one node kind of a model's unit tree. A unit declares its config
// schema, infers its output shape (rejecting inputs it cannot take, with a path and
// a reason), counts its parameters without building anything, and builds an engine
// module for a population of P members.
//
// Activations always carry the population and batch axes in front: [P, B, ...].
// Every unit is one file registered in units/index.ts.

import type { z } from "zod";
import type { Engine, Tensor } from "../../engine/index.js";
import type { OutputSpec } from "../tasks/family.js";

/** The shape of the activation flowing between units, per example. */
export type ActShape =
  /** i32 token ids [P, B, length] (straight from a token task) */
  | { kind: "tokens"; length: number; vocab: number }
  /** f32 [P, B, dim] */
  | { kind: "vector"; dim: number }
  /** f32 [P, B, length, dim] */
  | { kind: "sequence"; length: number; dim: number };

/** Every unit config has `unit` naming its kind; the rest is the unit's own. */
export interface UnitConfigBase {
  unit: string;
}

/** "model.children[2].heads" for ["children", 2, "heads"]; the root alone is "model". */
export function formatTreePath(path: readonly (string | number)[], root = "model"): string {
  let out = root;
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? p : `.${p}`;
  return out;
}

/** A problem found while fitting a tree to a task; the path is inside the model tree. */
export class UnitFitError extends Error {
  constructor(readonly path: (string | number)[], readonly expected: string, readonly found: string) {
    super(`${formatTreePath(path)}: expected ${expected}, got ${found}`);
    this.name = "UnitFitError";
  }
}

/** Passed to infer/paramCount/build so containers can recurse into children. */
export interface TreeContext {
  /** the task's required output (the readout unit targets it) */
  output: OutputSpec;
  /** the path of the unit being processed, for error messages, e.g. ["children", 2] */
  path: (string | number)[];
  inferChild(config: UnitConfigBase, input: ActShape, pathSuffix: (string | number)[]): ActShape;
  countChild(config: UnitConfigBase, input: ActShape, pathSuffix: (string | number)[]): number;
}

/** Per-member facts a build needs. */
export interface BuildContext extends TreeContext {
  engine: Engine;
  /** population size */
  members: number;
  /**
   * Creates a persistent parameter [P, ...shape]: `shape` is one member's, the
   * member axis is added in front (a bias [1, out] becomes [P, 1, out]). Member m's values come from
   * init(rng) with an Rng that depends only on member m's init seed and the
   * parameter's position in the tree, so a member initializes identically alone or
   * in any population. Init scale multiplies the drawn values (per member).
   */
  param(name: string, shape: number[], init: ParamInit): Tensor;
  buildChild(config: UnitConfigBase, input: ActShape, pathSuffix: (string | number)[]): BuiltUnit;
}

/** How a parameter is initialized (before the member's init scale). */
export type ParamInit =
  | { kind: "normal"; std: number }
  | { kind: "uniform"; bound: number }
  | { kind: "constant"; value: number; /** constants ignore init scale (norm gains, biases) */ unscaled?: boolean };

/** Facts of one forward pass. */
export interface ForwardContext {
  training: boolean;
  /** the optimizer step, so dropout draws a fresh mask each step */
  step: number;
  /** per-member dropout seeds */
  dropoutSeeds: readonly number[];
}

export interface BuiltUnit {
  forward(x: Tensor, ctx: ForwardContext): Tensor;
}

export interface UnitDef<C extends UnitConfigBase = UnitConfigBase> {
  /** the value of `unit`, e.g. "mlp" */
  kind: C["unit"];
  summary: string;
  /** the schema of this unit's config (containers refer to the whole tree schema lazily) */
  schema: z.ZodType<C>;
  /** output shape for an input shape; throws UnitFitError (path from ctx) when it cannot fit */
  infer(config: C, input: ActShape, ctx: TreeContext): ActShape;
  /** parameters per member, computed without building */
  paramCount(config: C, input: ActShape, ctx: TreeContext): number;
  build(config: C, input: ActShape, ctx: BuildContext): BuiltUnit;
}
