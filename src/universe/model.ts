// The model builder: fits a unit tree to a task (shapes and parameter counts,
// without building anything) and builds it on the engine for a population of P
// members that train in one pass.
//
// Shapes: input x is [P, B, ...] (tokens i32 [P, B, T]; vectors f32 [P, B, dim]);
// labels y are i32 [P, B] or [P, B, positions]; regression targets f32 [P, B, dim].
// The forward pass returns logits [P, B, C] / [P, B, positions, C] or predictions
// [P, B, dim]; loss() gives one loss per member, shape [P].
//
// Initialization: member m's values of the parameter with index i (in build order,
// which depends only on the tree) come from new Rng(initSeeds[m], Stream.init,
// i * 2^32), so a member initializes identically alone or in any population.

import { Rng, Stream, crossEntropy, mse, type Engine, type Tensor } from "../engine/index.js";
import type { InputSpec, OutputSpec, TaskSpec } from "./tasks/family.js";
import { describeOutput, describeShape, fitError, formatPath, sameActShape } from "./units/common.js";
import { unitDef, unitKinds, unitTreeSchema, type UnitTree, type UnitTreeInput } from "./units/index.js";
import {
  UnitFitError, type ActShape, type BuildContext, type BuiltUnit, type ForwardContext, type ParamInit, type TreeContext,
  type UnitConfigBase, type UnitDef,
} from "./units/unit.js";

export { UnitFitError, type ForwardContext } from "./units/unit.js";

export interface ModelFit {
  /** the tree's output shape (equal to the task's output) */
  output: ActShape;
  /** parameters per member */
  paramCount: number;
}

export interface BuildOptions {
  /** population size P */
  members: number;
  /** per member: the seed of its initial parameters */
  initSeeds: readonly number[];
  /** per member: a factor on every drawn initial value (not on norm gains/biases) */
  initScales: readonly number[];
}

export interface NamedParam {
  /** path-qualified, e.g. "children[2].wq" */
  name: string;
  /** [P, ...] */
  tensor: Tensor;
}

export interface Model {
  readonly members: number;
  readonly spec: TaskSpec;
  /** the parsed tree (defaults filled in) */
  readonly tree: UnitTree;
  readonly output: ActShape;
  /** in build order; the order of the init-stream offsets */
  readonly params: NamedParam[];
  /** parameters per member */
  readonly paramCount: number;
  /** x [P, B, ...] -> logits or predictions */
  forward(x: Tensor, ctx: ForwardContext): Tensor;
  /** per-member loss [P]: crossEntropy or mse, averaged over everything but the member axis */
  loss(pred: Tensor, y: Tensor): Tensor;
  /** per member, the fraction of correct argmax predictions (classification only; reads values, no autograd) */
  accuracy?(pred: Tensor, y: Tensor): Float64Array;
  /** frees the parameters */
  dispose(): void;
}

/** The activation shape of the task's input. */
export function inputShape(input: InputSpec): ActShape {
  return input.kind === "vector" ? { kind: "vector", dim: input.dim } : { kind: "tokens", length: input.length, vocab: input.vocab };
}

/** The activation shape the tree must end in for the task's output. */
export function outputShape(output: OutputSpec): ActShape {
  if (output.kind === "regression") return { kind: "vector", dim: output.dim };
  return output.positions === null
    ? { kind: "vector", dim: output.classes }
    : { kind: "sequence", length: output.positions, dim: output.classes };
}

function defFor(config: UnitConfigBase, path: (string | number)[]): UnitDef {
  const def = config !== null && typeof config === "object" ? unitDef(config.unit) : undefined;
  if (!def) {
    const found = config !== null && typeof config === "object" ? JSON.stringify(config.unit) : JSON.stringify(config);
    throw fitError([...path, "unit"], `a unit kind (one of ${unitKinds.join(", ")})`, String(found));
  }
  return def;
}

function treeContext(output: OutputSpec, path: (string | number)[]): TreeContext {
  return {
    output,
    path,
    inferChild(config, input, suffix) {
      const p = [...path, ...suffix];
      return defFor(config, p).infer(config, input, treeContext(output, p));
    },
    countChild(config, input, suffix) {
      const p = [...path, ...suffix];
      return defFor(config, p).paramCount(config, input, treeContext(output, p));
    },
  };
}

/** Parses a tree (filling defaults); a schema problem becomes a UnitFitError at its path. */
export function parseTree(tree: UnitTreeInput): UnitTree {
  const parsed = unitTreeSchema.safeParse(tree);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.filter((k): k is string | number => typeof k !== "symbol");
  const err = new UnitFitError(path, "a valid unit config", issue.message);
  err.message = `${formatPath(path)}: ${issue.message}`;
  throw err;
}

function checkSpec(spec: TaskSpec): void {
  const want = spec.output.kind === "classes" ? "crossEntropy" : "mse";
  if (spec.loss !== want) throw new Error(`model: a ${spec.output.kind} task needs loss ${want}, the spec says ${spec.loss}`);
}

function fitParsed(tree: UnitTree, spec: TaskSpec): ModelFit {
  const root = treeContext(spec.output, []);
  const input = inputShape(spec.input);
  const output = root.inferChild(tree, input, []);
  const want = outputShape(spec.output);
  if (!sameActShape(output, want)) {
    const hint = tree.unit === "readout" ? "" : "; add a readout unit";
    throw fitError([], `the tree to end in the task's output (${describeOutput(spec.output)})`, `${describeShape(output)}${hint}`);
  }
  return { output, paramCount: root.countChild(tree, input, []) };
}

/**
 * Checks the whole tree against the task without building anything. Throws
 * UnitFitError with the path inside the tree (e.g. ["children", 2, "heads"]).
 */
export function fitModel(tree: UnitTreeInput, spec: TaskSpec): ModelFit {
  return fitParsed(parseTree(tree), spec);
}

/** 2^32: parameter i's init stream starts at counter i * INIT_STRIDE, so no two parameters ever overlap. */
const INIT_STRIDE = 4294967296;

function drawParam(shape: number[], init: ParamInit, index: number, options: BuildOptions): Float32Array {
  const per = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(options.members * per);
  for (let m = 0; m < options.members; m++) {
    const out = data.subarray(m * per, (m + 1) * per);
    const scale = options.initScales[m]!;
    if (init.kind === "constant") {
      out.fill(init.unscaled ? init.value : init.value * scale);
      continue;
    }
    const rng = new Rng(options.initSeeds[m]!, Stream.init, index * INIT_STRIDE);
    if (init.kind === "normal") for (let i = 0; i < per; i++) out[i] = init.std * rng.normal() * scale;
    else for (let i = 0; i < per; i++) out[i] = (2 * rng.uniform() - 1) * init.bound * scale;
  }
  return data;
}

function checkOptions(o: BuildOptions): void {
  if (!Number.isInteger(o.members) || o.members < 1) throw new Error(`buildModel: members must be a positive integer, got ${o.members}`);
  if (o.initSeeds.length !== o.members) throw new Error(`buildModel: ${o.initSeeds.length} init seeds for ${o.members} members`);
  if (o.initScales.length !== o.members) throw new Error(`buildModel: ${o.initScales.length} init scales for ${o.members} members`);
  if (o.initScales.some((s) => !Number.isFinite(s))) throw new Error(`buildModel: init scales must be finite`);
}

function expectedInputShape(spec: TaskSpec, P: number): { dims: number[]; dtype: "f32" | "i32" } {
  return spec.input.kind === "vector" ? { dims: [P, -1, spec.input.dim], dtype: "f32" } : { dims: [P, -1, spec.input.length], dtype: "i32" };
}

function shapeMatches(shape: readonly number[], pattern: number[]): boolean {
  return shape.length === pattern.length && pattern.every((d, i) => d === -1 || d === shape[i]);
}

/** Builds the tree for a population; fits it first (throwing UnitFitError before allocating anything). */
export function buildModel(engine: Engine, tree: UnitTreeInput, spec: TaskSpec, options: BuildOptions): Model {
  checkOptions(options);
  checkSpec(spec);
  const parsed = parseTree(tree);
  const fit = fitParsed(parsed, spec);
  const P = options.members;
  const params: NamedParam[] = [];

  const buildContext = (path: (string | number)[]): BuildContext => ({
    ...treeContext(spec.output, path),
    engine,
    members: P,
    param(name, shape, init) {
      const data = drawParam(shape, init, params.length, options);
      const tensor = engine.parameter(data, [P, ...shape]);
      const prefix = formatPath(path, "");
      params.push({ name: prefix === "" ? name : `${prefix}.${name}`, tensor });
      return tensor;
    },
    buildChild(config, input, suffix) {
      const p = [...path, ...suffix];
      return defFor(config, p).build(config, input, buildContext(p));
    },
  });

  let root: BuiltUnit;
  try {
    root = buildContext([]).buildChild(parsed, inputShape(spec.input), []);
  } catch (e) {
    for (const p of params) p.tensor.dispose();
    throw e;
  }
  const built = params.reduce((n, p) => n + p.tensor.size, 0) / P;
  if (built !== fit.paramCount) {
    for (const p of params) p.tensor.dispose();
    throw new Error(`buildModel: built ${built} parameters per member, but the fit counted ${fit.paramCount} (a unit's paramCount is wrong)`);
  }

  const inShape = expectedInputShape(spec, P);
  const classification = spec.output.kind === "classes";
  const model: Model = {
    members: P,
    spec,
    tree: parsed,
    output: fit.output,
    params,
    paramCount: fit.paramCount,
    forward(x, ctx) {
      if (!shapeMatches(x.shape, inShape.dims) || x.dtype !== inShape.dtype) {
        throw new Error(`model.forward: expected ${inShape.dtype} input [${inShape.dims.map((d) => (d === -1 ? "B" : d)).join(", ")}], got ${x.dtype} [${x.shape.join(", ")}]`);
      }
      return root.forward(x, ctx);
    },
    loss(pred, y) {
      return classification ? crossEntropy(pred, y, { batchDims: 1 }) : mse(pred, y, { batchDims: 1 });
    },
    dispose() {
      for (const p of params) p.tensor.dispose();
    },
  };
  if (classification) model.accuracy = (pred, y) => accuracy(pred, y, P);
  return model;
}

/** Per member: the fraction of positions whose argmax over the last axis equals the label. */
function accuracy(pred: Tensor, y: Tensor, P: number): Float64Array {
  const C = pred.shape[pred.rank - 1]!;
  const logits = pred.toFloat32();
  const labels = y.toArray();
  const rows = pred.size / C;
  if (labels.length !== rows || pred.shape[0] !== P) {
    throw new Error(`model.accuracy: logits [${pred.shape.join(", ")}] do not match labels [${y.shape.join(", ")}]`);
  }
  const perMember = rows / P;
  const out = new Float64Array(P);
  for (let m = 0; m < P; m++) {
    let correct = 0;
    for (let r = m * perMember; r < (m + 1) * perMember; r++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (logits[r * C + c]! > logits[r * C + best]!) best = c;
      if (best === labels[r]) correct++;
    }
    out[m] = perMember > 0 ? correct / perMember : 0;
  }
  return out;
}

/** Parameters of one member as flat arrays (for tests and snapshots). */
export function memberParams(model: Model, m: number): Float32Array[] {
  return model.params.map(({ tensor }) => {
    const per = tensor.size / model.members;
    return tensor.toFloat32().slice(m * per, (m + 1) * per);
  });
}
