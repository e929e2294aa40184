// Helpers shared by the unit files: path formatting and fit errors, shape
// descriptions, the activation table, and the population linear layer.
//
// Parameter layout (see units/index.ts for the conventions): a linear layer's
// weight is [P, in, out] (x @ W) and its bias [P, 1, out]; inputs of any rank
// [P, ..., in] are viewed as [P, rows, in] so each matmul has batch dims [P] on
// both sides, i.e. one matmul per member.

import { z } from "zod";
import { F, hash3, silu, type Tensor } from "../../engine/index.js";
import type { OutputSpec } from "../tasks/family.js";
import { UnitFitError, formatTreePath, type ActShape, type BuildContext, type TreeContext } from "./unit.js";

type Path = readonly (string | number)[];

export { formatTreePath as formatPath };

export function fitError(path: Path, expected: string, found: string): UnitFitError {
  return new UnitFitError([...path], expected, found);
}

/** Throws a fit error at the unit's own path (plus an optional suffix such as "heads"). */
export function fail(ctx: TreeContext, expected: string, found: string, suffix: (string | number)[] = []): never {
  throw fitError([...ctx.path, ...suffix], expected, found);
}

export function describeShape(s: ActShape): string {
  switch (s.kind) {
    case "tokens":
      return `tokens of length ${s.length} (vocab ${s.vocab})`;
    case "vector":
      return `vector of dim ${s.dim}`;
    case "sequence":
      return `sequence of length ${s.length} and dim ${s.dim}`;
  }
}

export function describeOutput(o: OutputSpec): string {
  if (o.kind === "regression") return `a regression vector of dim ${o.dim}`;
  return o.positions === null ? `${o.classes} classes` : `${o.classes} classes at each of ${o.positions} positions`;
}

export function sameActShape(a: ActShape, b: ActShape): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "tokens":
      return b.kind === "tokens" && a.length === b.length && a.vocab === b.vocab;
    case "vector":
      return b.kind === "vector" && a.dim === b.dim;
    case "sequence":
      return b.kind === "sequence" && a.length === b.length && a.dim === b.dim;
  }
}

export type FloatShape = Extract<ActShape, { kind: "vector" | "sequence" }>;

/** Rejects token input (float units need an embedding first). */
export function requireFloat(input: ActShape, ctx: TreeContext, what = "a vector or sequence input"): FloatShape {
  if (input.kind === "tokens") fail(ctx, `${what} (add an embedding unit before it)`, describeShape(input));
  return input;
}

export function requireSequence(input: ActShape, ctx: TreeContext): Extract<ActShape, { kind: "sequence" }> {
  if (input.kind !== "sequence") {
    const hint = input.kind === "tokens" ? " (add an embedding unit before it)" : "";
    fail(ctx, `a sequence input${hint}`, describeShape(input));
  }
  return input;
}

/** The same kind of activation with another feature dim. */
export function withDim(s: FloatShape, dim: number): FloatShape {
  return s.kind === "vector" ? { kind: "vector", dim } : { kind: "sequence", length: s.length, dim };
}

// ---- schema pieces ----------------------------------------------------------

export const MAX_WIDTH = 4096;

export const widthField = (what: string, def: number) =>
  z.number().int().min(1).max(MAX_WIDTH).default(def).describe(`${what}, 1..${MAX_WIDTH}`);

export const biasField = () => z.boolean().default(true).describe("whether the projection has a learned bias");

export const activationNames = ["relu", "gelu", "tanh", "silu", "sigmoid", "identity"] as const;
export type ActivationName = (typeof activationNames)[number];

export const activationField = (def: ActivationName) =>
  z.enum(activationNames).default(def).describe(`elementwise nonlinearity: ${activationNames.join(", ")} (gelu is exact, erf-based)`);

export function applyActivation(fn: ActivationName, x: Tensor): Tensor {
  switch (fn) {
    case "relu":
      return F.relu(x);
    case "gelu":
      return F.gelu(x);
    case "tanh":
      return F.tanh(x);
    case "silu":
      return silu(x);
    case "sigmoid":
      return F.sigmoid(x);
    case "identity":
      return x;
  }
}

// ---- the population linear layer -------------------------------------------

export function linearParamCount(inDim: number, outDim: number, bias: boolean): number {
  return inDim * outDim + (bias ? outDim : 0);
}

/**
 * Creates weight [P, in, out] and bias [P, 1, out] with PyTorch's nn.Linear init,
 * uniform(-1/sqrt(in), 1/sqrt(in)) for both, and returns x [P, ..., in] -> [P, ..., out].
 */
export function linearLayer(
  ctx: BuildContext, name: string, inDim: number, outDim: number, bias: boolean,
): (x: Tensor) => Tensor {
  const bound = 1 / Math.sqrt(inDim);
  const w = ctx.param(name ? `${name}.weight` : "weight", [inDim, outDim], { kind: "uniform", bound });
  const b = bias ? ctx.param(name ? `${name}.bias` : "bias", [1, outDim], { kind: "uniform", bound }) : null;
  return (x) => affineRows(x, w, b);
}

/** x [P, ..., in] @ w [P, in, out] (+ b [P, 1, out]) as one matmul per member. */
export function affineRows(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const inDim = x.shape[x.rank - 1]!;
  const outDim = w.shape[w.rank - 1]!;
  const lead = x.shape.slice(0, -1);
  const flat = x.rank === 3 ? x : F.reshape(x, [x.shape[0]!, x.size / (x.shape[0]! * inDim), inDim]);
  let y = F.matmul(flat, w);
  if (b) y = F.add(y, b);
  return x.rank === 3 ? y : F.reshape(y, [...lead, outDim]);
}

/** A feature-dim parameter [P, d] viewed to broadcast against x [P, ..., d]. */
export function broadcastFeature(p: Tensor, x: Tensor): Tensor {
  const d = p.shape[p.rank - 1]!;
  const shape = [p.shape[0]!, ...new Array<number>(x.rank - 2).fill(1), d];
  return F.reshape(p, shape);
}

// ---- seeds -----------------------------------------------------------------

/** A 32-bit hash of a tree path (FNV-1a over its formatted form). */
export function pathHash(path: Path): number {
  const s = formatTreePath(path);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Per-member seeds for one unit: a member's seed mixed with the unit's path. */
export function unitSeeds(seeds: readonly number[], stream: number, path: Path): number[] {
  const key = pathHash(path);
  return seeds.map((s) => hash3(s, stream, key));
}
