// The mutation operators on the model tree (see mutate.ts for the driver):
//   scale-width      one width x2 or /2; an output width that sets a residual stream
//                    moves with every output width equal to it, so blocks keep shape
//   swap-activation  another nonlinearity at one site
//   insert-unit      a residual MLP/GLU/attention/token-mixing block, a norm, an
//                    activation or a dropout where the activation is a float vector
//                    or sequence (no residual block on the task's raw input, whose
//                    dim the task decides)
//   delete-unit      a unit whose removal keeps the shapes: shape-keeping units, or
//                    units whose output only reaches dense units or the readout
//   replace-unit     a unit by a sibling kind: layer <-> RMS norm, MLP <-> GLU,
//                    attention <-> token mixing (causal attention stays causal on
//                    next-token tasks), linear -> MLP, pooling and readout modes...
// Each returns candidates in dense form; the driver validates them.

import type { Rng } from "../../engine/rng.js";
import type { Experiment } from "../config/experiment.js";
import { activationNames, type ActivationName } from "../units/common.js";
import type { UnitTree } from "../units/index.js";
import type { Candidate, MutationContext, Operator } from "./mutate.js";
import { chance, clamp, pick, roundTo, weighted } from "./random.js";
import { fittingHeads, headsGranule, modelPath, setAt, widthFields, type NodeSite, type Path } from "./tree.js";

const withModel = (ctx: MutationContext, model: UnitTree): Experiment => ({ ...ctx.parent.config, model });

function setInTree(ctx: MutationContext, path: Path, value: unknown): Experiment {
  return withModel(ctx, setAt(ctx.parent.config.model, path, value));
}

function floatDim(s: NodeSite["input"]): number | null {
  return s.kind === "tokens" ? null : s.dim;
}

export const scaleWidth: Operator = (ctx, rng) => {
  const tree = ctx.parent.config.model;
  const fields = widthFields(tree);
  if (fields.length === 0) return [];
  const f = pick(rng, fields);
  const g = f.role === "output" ? headsGranule(tree) : 1;
  const up = f.value >= 4096 ? false : f.value <= g ? true : chance(rng, 0.5);
  const raw = up ? f.value * 2 : Math.round(f.value / 2);
  const to = clamp(g * Math.max(1, Math.round(raw / g)), g, Math.floor(4096 / g) * g);
  if (to === f.value) return [];
  const change = { name: "scale-width", path: modelPath(f.path, f.field), from: f.value, to };
  // an output width may set a residual stream: every output width equal to it moves with it
  const tied = f.role === "output" ? fields.filter((o) => o.role === "output" && o.value === f.value) : [f];
  if (tied.length === 1) return [{ config: setInTree(ctx, [...f.path, f.field], to), change }];
  let model = tree;
  for (const t of tied) model = setAt(model, [...t.path, t.field], to);
  const also = tied.filter((t) => t !== f).map((t) => modelPath(t.path, t.field));
  return [{ config: withModel(ctx, model), change: { ...change, also } }];
};

function activationSites(sites: NodeSite[]): Array<{ path: Path; field: string; value: ActivationName }> {
  const out: Array<{ path: Path; field: string; value: ActivationName }> = [];
  for (const { node, path } of sites) {
    if (node.unit === "activation") out.push({ path, field: "fn", value: node.fn });
    else if (node.unit === "mlp" && node.depth > 0) out.push({ path, field: "activation", value: node.activation });
    else if (node.unit === "glu" || node.unit === "token-mixing") out.push({ path, field: "activation", value: node.activation });
  }
  return out;
}

export const swapActivation: Operator = (ctx, rng) => {
  const found = activationSites(ctx.sites);
  if (found.length === 0) return [];
  const s = pick(rng, found);
  const to = pick(rng, activationNames.filter((a) => a !== s.value));
  return [{ config: setInTree(ctx, [...s.path, s.field], to), change: { name: "swap-activation", path: modelPath(s.path, s.field), from: s.value, to } }];
};

/** A new unit that keeps a float activation of this shape (vector or sequence). */
function newUnit(ctx: MutationContext, rng: Rng, shape: NodeSite["input"], rawInput: boolean): UnitTree | null {
  const d = floatDim(shape);
  if (d === null) return null;
  const seq = shape.kind === "sequence";
  const kinds: Array<readonly [string, number]> = [
    ["norm", 1],
    ["activation", 0.5],
    ["dropout", 0.4],
    ["residual-mlp", rawInput ? 0 : 2],
    ["residual-glu", rawInput ? 0 : 0.7],
    ["residual-attention", seq && !rawInput ? 1.5 : 0],
    ["residual-token-mixing", seq && !rawInput && !ctx.causalOnly ? 0.8 : 0],
  ];
  const norm = (): UnitTree => ({ unit: "norm", kind: chance(rng, 0.6) ? "layer" : "rms", eps: 1e-5 });
  const wrap = (u: UnitTree): UnitTree => ({ unit: "residual", child: chance(rng, 0.7) ? { unit: "sequential", children: [norm(), u] } : u });
  const act = pick(rng, ["relu", "gelu", "silu", "tanh"] as const);
  switch (weighted(rng, kinds)) {
    case "norm":
      return norm();
    case "activation":
      return { unit: "activation", fn: act };
    case "dropout":
      return { unit: "dropout", p: pick(rng, [0.05, 0.1, 0.2]) };
    case "residual-mlp":
      return wrap({ unit: "mlp", width: Math.min(1024, d * pick(rng, [1, 2, 4])), depth: 1, activation: act, bias: true, out: d });
    case "residual-glu":
      return wrap({ unit: "glu", width: Math.min(1024, d * pick(rng, [1, 2, 4])), activation: pick(rng, ["sigmoid", "silu", "gelu"] as const), bias: true, out: d });
    case "residual-attention":
      return wrap({ unit: "attention", heads: fittingHeads(d, pick(rng, [1, 2, 4])), causal: ctx.causalOnly || chance(rng, 0.5) });
    case "residual-token-mixing": {
      const T = shape.kind === "sequence" ? shape.length : 1;
      return wrap({ unit: "token-mixing", width: clamp(2 * T, 8, 256), activation: act, bias: true });
    }
    default:
      return null;
  }
}

function siteMap(sites: NodeSite[]): Map<string, NodeSite> {
  return new Map(sites.map((s) => [JSON.stringify(s.path), s]));
}

export const insertUnit: Operator = (ctx, rng) => {
  const byPath = siteMap(ctx.sites);
  const seqs = ctx.sites.filter((s) => s.node.unit === "sequential");
  if (seqs.length === 0) return [];
  const s = pick(rng, seqs);
  const children = (s.node as Extract<UnitTree, { unit: "sequential" }>).children;
  // positions whose incoming activation is float, never after a readout
  const spots: Array<{ index: number; shape: NodeSite["input"] }> = [];
  for (let i = 0; i <= children.length; i++) {
    if (i > 0 && children[i - 1]!.unit === "readout") break;
    const shape = i === 0 ? s.input : byPath.get(JSON.stringify([...s.path, "children", i - 1]))!.output;
    if (shape.kind !== "tokens") spots.push({ index: i, shape });
  }
  if (spots.length === 0) return [];
  const spot = pick(rng, spots);
  // the task's own input (only pointwise units before): no residual block there, its width would be tied to the task
  const rawInput = s.path.length === 0 && children.slice(0, spot.index).every((c) => POINTWISE.has(c.unit));
  const unit = newUnit(ctx, rng, spot.shape, rawInput);
  if (!unit) return [];
  const next = [...children.slice(0, spot.index), unit, ...children.slice(spot.index)];
  return [{
    config: setInTree(ctx, [...s.path, "children"], next),
    change: { name: "insert-unit", path: modelPath([...s.path, "children", spot.index]), from: null, to: unit },
  }];
};

const POINTWISE = new Set(["norm", "activation", "dropout"]);
const ADAPTIVE = new Set(["linear", "mlp", "glu", "readout"]);

/**
 * Whether child i of a sequential can go: it keeps its input's shape, or what it
 * produces only passes pointwise units before a dense unit or the readout, which
 * take any input dim. Embeddings and readouts always stay.
 */
function deletable(children: UnitTree[], i: number, site: NodeSite): boolean {
  const c = children[i]!;
  if (c.unit === "embedding" || c.unit === "readout") return false;
  if (sameShape(site.input, site.output)) return true;
  if (site.input.kind !== site.output.kind) return false;
  for (let j = i + 1; j < children.length; j++) {
    if (ADAPTIVE.has(children[j]!.unit)) return true;
    if (!POINTWISE.has(children[j]!.unit)) return false;
  }
  return false;
}

function sameShape(a: NodeSite["input"], b: NodeSite["input"]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export const deleteUnit: Operator = (ctx, rng) => {
  const out: Candidate[] = [];
  const byPath = siteMap(ctx.sites);
  const options: Array<{ seq: NodeSite; index: number }> = [];
  for (const s of ctx.sites) {
    if (s.node.unit !== "sequential" || s.node.children.length < 2) continue;
    const children = s.node.children;
    children.forEach((_, index) => {
      if (deletable(children, index, byPath.get(JSON.stringify([...s.path, "children", index]))!)) options.push({ seq: s, index });
    });
  }
  for (const { seq, index } of shuffledFew(rng, options, 4)) {
    const children = (seq.node as Extract<UnitTree, { unit: "sequential" }>).children;
    const next = children.filter((_, i) => i !== index);
    out.push({
      config: setInTree(ctx, [...seq.path, "children"], next),
      change: { name: "delete-unit", path: modelPath([...seq.path, "children", index]), from: children[index], to: null },
    });
  }
  return out;
};

function shuffledFew<T>(rng: Rng, items: T[], k: number): T[] {
  const copy = [...items];
  const out: T[] = [];
  while (copy.length > 0 && out.length < k) out.push(copy.splice(rng.int(copy.length), 1)[0]!);
  return out;
}

/** A sibling kind for a unit, or null. */
function replacement(ctx: MutationContext, rng: Rng, site: NodeSite): UnitTree | null {
  const n = site.node;
  switch (n.unit) {
    case "norm":
      return { ...n, kind: pick(rng, (["layer", "rms", "none"] as const).filter((k) => k !== n.kind)) };
    case "mlp":
      if (n.depth === 0 && n.out === undefined) return { unit: "linear", width: n.width, bias: n.bias };
      return { unit: "glu", width: n.width, activation: chance(rng, 0.5) ? "silu" : "sigmoid", bias: n.bias, ...(n.out === undefined ? {} : { out: n.out }) };
    case "glu":
      return { unit: "mlp", width: n.width, depth: 1, activation: n.activation === "sigmoid" ? "relu" : n.activation, bias: n.bias, ...(n.out === undefined ? {} : { out: n.out }) };
    case "linear":
      return { unit: "mlp", width: n.width, depth: 1, activation: pick(rng, ["relu", "gelu", "tanh"] as const), bias: n.bias, out: n.width };
    case "attention": {
      const toMixing = !ctx.causalOnly && chance(rng, 0.5);
      if (toMixing) {
        const T = site.input.kind === "sequence" ? site.input.length : 1;
        return { unit: "token-mixing", width: clamp(2 * T, 8, 256), activation: "gelu", bias: true };
      }
      if (!ctx.causalOnly) return { ...n, causal: !n.causal };
      // next-token tasks keep causal attention: change the heads instead
      const heads = fittingHeads(floatDim(site.input) ?? 1, n.heads > 1 && chance(rng, 0.5) ? Math.floor(n.heads / 2) : n.heads * 2);
      return heads === n.heads ? null : { ...n, heads };
    }
    case "token-mixing":
      return { unit: "attention", heads: fittingHeads(floatDim(site.input) ?? 1, 4), causal: ctx.causalOnly || chance(rng, 0.5) };
    case "pooling":
      return { ...n, mode: pick(rng, (["mean", "last", "flatten"] as const).filter((m) => m !== n.mode)) };
    case "readout":
      return { ...n, pool: n.pool === "mean" ? "last" : "mean" };
    case "embedding":
      return { ...n, positional: !n.positional };
    case "dropout":
      return { ...n, p: n.p >= 0.4 ? roundTo(n.p / 2, 0.01) : roundTo(Math.min(0.9, n.p * 2 || 0.1), 0.01) };
    case "activation":
      return { unit: "norm", kind: "layer", eps: 1e-5 };
    default:
      return null;
  }
}

export const replaceUnit: Operator = (ctx, rng) => {
  const out: Candidate[] = [];
  const options = ctx.sites.filter((s) => s.node.unit !== "sequential" && s.node.unit !== "residual");
  for (const site of shuffledFew(rng, options, 3)) {
    const to = replacement(ctx, rng, site);
    if (!to) continue;
    out.push({ config: setInTree(ctx, site.path, to), change: { name: "replace-unit", path: modelPath(site.path), from: site.node, to } });
  }
  return out;
};
