// Priors over model trees, a small grammar that is valid by construction for the
// task's input and output:
//
//   vector input   mlp | explicit layers | residual MLP | residual GLU | deep linear,
//                  every variant ending in a readout;
//   token input    embedding, then transformer blocks (attention + MLP/GLU, pre-norm
//                  residuals), mixer blocks (token mixing + MLP/GLU), or, when the task
//                  wants one output per example, pooling (flatten or mean) into one of
//                  the vector bodies above; then a readout.
//
// Widths are log-uniform in [8, 256] (multiples of the heads when attention reads
// them), depths 1..4 blocks. Every residual block keeps the stream dim through an
// explicit `out`, and the stream starts with a projection (linear or embedding), so
// a later change of the task's input dim never breaks a block. Next-token tasks get
// causal attention only.

import type { Rng } from "../../engine/rng.js";
import type { TaskSpec } from "../tasks/family.js";
import type { TaskName } from "../tasks/index.js";
import type { ActivationName } from "../units/common.js";
import type { UnitTreeInput } from "../units/index.js";
import { chance, intBetween, logInt, pick, roundTo, uniform, weighted } from "./random.js";
import { CAUSAL_FAMILIES } from "./tasks.js";

export interface ModelPrior {
  /** log-uniform range of model widths */
  width: [number, number];
  /** uniform range of the number of blocks or hidden layers */
  depth: [number, number];
}

export const DEFAULT_MODEL_PRIOR: ModelPrior = { width: [8, 256], depth: [1, 4] };

type Node = UnitTreeInput;
type NormKind = "layer" | "rms" | null;

/** Choices shared by every block of one model. */
interface Style {
  act: ActivationName;
  norm: NormKind;
  dropout: number | null;
  ffn: "mlp" | "glu";
  ratio: number;
}

function sampleStyle(rng: Rng): Style {
  return {
    act: weighted<ActivationName>(rng, [["relu", 0.35], ["gelu", 0.25], ["tanh", 0.15], ["silu", 0.2], ["sigmoid", 0.05]]),
    norm: weighted<NormKind>(rng, [["layer", 0.5], ["rms", 0.3], [null, 0.2]]),
    dropout: chance(rng, 0.15) ? roundTo(uniform(rng, 0.05, 0.3), 0.05) : null,
    ffn: chance(rng, 0.75) ? "mlp" : "glu",
    ratio: weighted(rng, [[1, 0.25], [2, 0.35], [4, 0.4]]),
  };
}

/** norm? -> unit -> dropout?, as one node. */
function block(unit: Node, s: Style): Node {
  const parts: Node[] = [];
  if (s.norm) parts.push({ unit: "norm", kind: s.norm });
  parts.push(unit);
  if (s.dropout !== null) parts.push({ unit: "dropout", p: s.dropout });
  return parts.length === 1 ? unit : { unit: "sequential", children: parts };
}

/** A feed-forward residual block that maps dim d to d. */
function ffnBlock(rng: Rng, d: number, s: Style): Node {
  const hidden = Math.min(1024, s.ratio * d);
  const unit: Node = s.ffn === "mlp"
    ? { unit: "mlp", width: hidden, depth: 1, activation: s.act, out: d }
    : { unit: "glu", width: hidden, activation: pick(rng, ["sigmoid", "silu", "gelu"] as const), out: d };
  return { unit: "residual", child: block(unit, s) };
}

function finalNorm(s: Style): Node[] {
  return s.norm ? [{ unit: "norm", kind: s.norm }] : [];
}

/** Units that map a vector (or a pooled sequence) of any dim to a hidden vector, before the readout. */
function vectorBody(rng: Rng, prior: ModelPrior): Node[] {
  const d = logInt(rng, prior.width[0], prior.width[1]);
  const L = intBetween(rng, prior.depth[0], prior.depth[1]);
  const s = sampleStyle(rng);
  const kind = weighted(rng, [["mlp", 0.25], ["layers", 0.2], ["residual-mlp", 0.25], ["residual-glu", 0.15], ["linear", 0.15]] as const);
  const drop: Node[] = s.dropout !== null ? [{ unit: "dropout", p: s.dropout }] : [];
  switch (kind) {
    case "mlp":
      return [{ unit: "mlp", width: d, depth: L - 1, activation: s.act }, ...(chance(rng, 0.2) ? finalNorm(s) : []), { unit: "activation", fn: s.act }, ...drop];
    case "layers": {
      const withNorm = chance(rng, 0.3);
      const layer: Node[] = [{ unit: "linear", width: d }, ...(withNorm ? finalNorm(s) : []), { unit: "activation", fn: s.act }, ...drop];
      return Array.from({ length: L }, () => layer).flat();
    }
    case "residual-mlp":
    case "residual-glu": {
      const style = { ...s, ffn: kind === "residual-mlp" ? "mlp" as const : "glu" as const };
      const blocks = Array.from({ length: L }, () => ffnBlock(rng, d, style));
      return [{ unit: "linear", width: d }, ...blocks, ...finalNorm(s)];
    }
    case "linear":
      return Array.from({ length: L }, (): Node => ({ unit: "linear", width: d }));
  }
}

/** A model for a vector-input task. */
function vectorModel(rng: Rng, prior: ModelPrior): Node {
  return { unit: "sequential", children: [...vectorBody(rng, prior), { unit: "readout" }] };
}

/** A model for a token-input task. */
function tokenModel(rng: Rng, spec: Extract<TaskSpec["input"], { kind: "tokens" }>, perPosition: boolean, causalOnly: boolean, prior: ModelPrior): Node {
  const kind = weighted(rng, [
    ["transformer", 0.45],
    ["mixer", causalOnly ? 0 : 0.25],
    ["pooled", perPosition ? 0 : 0.3],
  ] as const);
  if (kind === "pooled") {
    const flatten = chance(rng, 0.65);
    const dim = logInt(rng, 8, 64);
    return {
      unit: "sequential",
      children: [
        { unit: "embedding", dim, positional: flatten ? false : chance(rng, 0.5) },
        { unit: "pooling", mode: flatten ? "flatten" : "mean" },
        ...vectorBody(rng, prior),
        { unit: "readout" },
      ],
    };
  }
  const s = sampleStyle(rng);
  const L = intBetween(rng, prior.depth[0], prior.depth[1]);
  let d = logInt(rng, prior.width[0], prior.width[1]);
  const children: Node[] = [];
  let causal = false;
  if (kind === "transformer") {
    let heads = weighted(rng, [[1, 0.2], [2, 0.25], [4, 0.4], [8, 0.15]]);
    heads = Math.max(1, Math.min(heads, Math.floor(d / 4)));
    d = heads * Math.max(1, Math.round(d / heads));
    causal = causalOnly || chance(rng, perPosition ? 0.2 : 0.5);
    children.push({ unit: "embedding", dim: d, positional: chance(rng, 0.9) });
    for (let i = 0; i < L; i++) {
      children.push({ unit: "residual", child: block({ unit: "attention", heads, causal }, s) }, ffnBlock(rng, d, s));
    }
  } else {
    const mixWidth = logInt(rng, 8, Math.max(8, Math.min(256, 4 * spec.length)));
    children.push({ unit: "embedding", dim: d, positional: chance(rng, 0.5) });
    for (let i = 0; i < L; i++) {
      children.push({ unit: "residual", child: block({ unit: "token-mixing", width: mixWidth, activation: s.act }, s) }, ffnBlock(rng, d, s));
    }
  }
  children.push(...finalNorm(s));
  const pool = causal ? (chance(rng, 0.7) ? "last" : "mean") : chance(rng, 0.8) ? "mean" : "last";
  if (!perPosition && chance(rng, 0.2)) {
    children.push({ unit: "pooling", mode: pool }, { unit: "linear", width: d }, { unit: "activation", fn: s.act });
  }
  children.push({ unit: "readout", pool });
  return { unit: "sequential", children };
}

/** A model tree drawn from the priors, valid for the task by construction. */
export function sampleModel(rng: Rng, spec: TaskSpec, family: TaskName, prior: ModelPrior = DEFAULT_MODEL_PRIOR): Node {
  if (spec.input.kind === "vector") return vectorModel(rng, prior);
  const perPosition = spec.output.kind === "classes" && spec.output.positions !== null;
  return tokenModel(rng, spec.input, perPosition, CAUSAL_FAMILIES.has(family), prior);
}
