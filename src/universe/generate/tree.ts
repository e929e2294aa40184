// Unit-tree utilities for the generator: a walk that gives every node its path,
// input and output shape (with the units' own `infer`, so it agrees with the model
// builder), immutable get/set by path, the width-bearing fields of a tree and their
// role, and an estimate of the multiply-adds of one forward pass per example, which
// the sampler uses to keep experiments cheap.

import type { TaskSpec } from "../tasks/family.js";
import { inputShape } from "../model.js";
import { unitDef, type ActShape, type TreeContext, type UnitConfigBase, type UnitTree } from "../units/index.js";
import { formatPath } from "../config/problems.js";

export type Path = (string | number)[];

/** A node of a tree with where it sits and the shapes around it. */
export interface NodeSite {
  /** inside the model tree, e.g. ["children", 2, "child"] */
  path: Path;
  node: UnitTree;
  input: ActShape;
  output: ActShape;
  /** the node is (inside) the child of a residual */
  inResidual: boolean;
}

function context(output: TaskSpec["output"], path: Path): TreeContext {
  return {
    output,
    path,
    inferChild(config, input, suffix) {
      const p = [...path, ...suffix];
      return defOf(config).infer(config, input, context(output, p));
    },
    countChild(config, input, suffix) {
      const p = [...path, ...suffix];
      return defOf(config).paramCount(config, input, context(output, p));
    },
  };
}

function defOf(config: UnitConfigBase) {
  const def = unitDef(config.unit);
  if (!def) throw new Error(`generate: unknown unit kind ${JSON.stringify(config.unit)}`);
  return def;
}

/**
 * Every node of a parsed tree in pre-order, with shapes. Throws the units'
 * UnitFitError when the tree does not fit the task (validate first).
 */
export function walkTree(tree: UnitTree, spec: TaskSpec): NodeSite[] {
  const out: NodeSite[] = [];
  const visit = (node: UnitTree, input: ActShape, path: Path, inResidual: boolean): ActShape => {
    const output = defOf(node).infer(node, input, context(spec.output, path));
    out.push({ path, node, input, output, inResidual });
    if (node.unit === "sequential") {
      let shape = input;
      node.children.forEach((child, i) => {
        shape = visit(child, shape, [...path, "children", i], inResidual);
      });
    } else if (node.unit === "residual") {
      visit(node.child, input, [...path, "child"], true);
    }
    return output;
  };
  visit(tree, inputShape(spec.input), [], false);
  return out;
}

/** The value at a path inside any JSON value (undefined when absent). */
export function getAt(root: unknown, path: Path): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** A deep copy of a JSON value. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** A copy of `root` with the value at `path` replaced (the root itself when path is empty). */
export function setAt<T>(root: T, path: Path, value: unknown): T {
  if (path.length === 0) return clone(value) as T;
  const copy = clone(root);
  const parent = getAt(copy, path.slice(0, -1));
  if (parent === null || typeof parent !== "object") throw new Error(`generate: no container at ${formatPath(path.slice(0, -1))}`);
  (parent as Record<string | number, unknown>)[path[path.length - 1]!] = clone(value);
  return copy;
}

/** "model.children[2].width" for a tree path and a field. */
export function modelPath(path: Path, field?: string): string {
  return formatPath(["model", ...path, ...(field === undefined ? [] : [field])]);
}

/**
 * A width-bearing field. `output` widths set the feature dim that flows on to the
 * next unit; `hidden` widths are internal to their unit (an MLP's hidden layers
 * when `out` is set, a GLU's gated features when `out` is set, token mixing).
 */
export interface WidthField {
  path: Path;
  field: "dim" | "width" | "out";
  value: number;
  role: "output" | "hidden";
}

/** The width fields of a parsed tree (unused ones, like the width of a depth-0 MLP with `out`, are left out). */
export function widthFields(tree: UnitTree): WidthField[] {
  const out: WidthField[] = [];
  const visit = (node: UnitTree, path: Path) => {
    switch (node.unit) {
      case "embedding":
        out.push({ path, field: "dim", value: node.dim, role: "output" });
        break;
      case "linear":
        out.push({ path, field: "width", value: node.width, role: "output" });
        break;
      case "mlp":
        if (node.out === undefined) out.push({ path, field: "width", value: node.width, role: "output" });
        else {
          if (node.depth > 0) out.push({ path, field: "width", value: node.width, role: "hidden" });
          out.push({ path, field: "out", value: node.out, role: "output" });
        }
        break;
      case "glu":
        if (node.out === undefined) out.push({ path, field: "width", value: node.width, role: "output" });
        else {
          out.push({ path, field: "width", value: node.width, role: "hidden" });
          out.push({ path, field: "out", value: node.out, role: "output" });
        }
        break;
      case "token-mixing":
        out.push({ path, field: "width", value: node.width, role: "hidden" });
        break;
      case "sequential":
        node.children.forEach((c, i) => visit(c, [...path, "children", i]));
        break;
      case "residual":
        visit(node.child, [...path, "child"]);
        break;
      default:
        break;
    }
  };
  visit(tree, []);
  return out;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The least common multiple of every attention's heads (1 without attention): stream dims stay multiples of it. */
export function headsGranule(tree: UnitTree): number {
  let g = 1;
  const visit = (node: UnitTree) => {
    if (node.unit === "attention") g = (g * node.heads) / gcd(g, node.heads);
    else if (node.unit === "sequential") node.children.forEach(visit);
    else if (node.unit === "residual") visit(node.child);
  };
  visit(tree);
  return g;
}

/** The largest divisor of dim that is <= heads (so heads keep dividing dim). */
export function fittingHeads(dim: number, heads: number): number {
  for (let h = Math.floor(Math.min(heads, dim)); h > 1; h--) if (dim % h === 0) return h;
  return 1;
}

function positions(s: ActShape): number {
  return s.kind === "sequence" ? s.length : 1;
}

function features(s: ActShape): number {
  return s.kind === "tokens" ? s.length : s.kind === "sequence" ? s.length * s.dim : s.dim;
}

/** The work of one forward pass for one example. */
export interface ForwardWork {
  /** multiply-adds of matmuls (weights times the positions they apply to, attention products) */
  macs: number;
  /** values written by elementwise, normalization and gather kernels */
  elements: number;
  /** values of small-strided kernels: attention scores per head (softmax, masking) and token-mixing transposes */
  scattered: number;
  /** units with kernels of their own (each costs a fixed dispatch overhead per pass) */
  kernels: number;
  /** parameter tensors (each costs an optimizer update per step) */
  tensors: number;
}

function tensorsOf(node: UnitTree): number {
  const b = (bias: boolean) => (bias ? 2 : 1);
  switch (node.unit) {
    case "linear":
    case "readout":
      return b(node.bias);
    case "mlp":
      return (node.depth + 1) * b(node.bias);
    case "glu":
      return (node.out === undefined ? 2 : 3) * b(node.bias);
    case "token-mixing":
      return 2 * b(node.bias);
    case "attention":
      return 4;
    case "embedding":
      return node.positional ? 2 : 1;
    case "norm":
      return node.kind === "layer" ? 2 : node.kind === "rms" ? 1 : 0;
    default:
      return 0;
  }
}

/**
 * The work of one forward pass for one example (a training step costs about three
 * times this per example, an evaluation once). Matmuls count their weights times
 * the positions they apply to, attention adds its T x T products and scores, and
 * the other units the values they write.
 */
export function forwardWork(sites: NodeSite[], spec: TaskSpec): ForwardWork {
  let macs = 0, elements = 0, scattered = 0, kernels = 0, tensors = 0;
  for (const { node, input, output } of sites) {
    const params = () => defOf(node).paramCount(node, input, context(spec.output, []));
    if (node.unit === "sequential") continue;
    if (node.unit === "residual") {
      elements += features(input);
      continue;
    }
    kernels++;
    tensors += tensorsOf(node);
    switch (node.unit) {
      case "embedding":
        elements += 2 * features(output);
        break;
      case "attention": {
        const T = positions(input), d = features(input) / T;
        macs += params() * T + 2 * T * T * d;
        scattered += T * T * node.heads;
        elements += 6 * T * d;
        break;
      }
      case "token-mixing":
        macs += params() * (features(input) / positions(input));
        elements += (features(input) / positions(input)) * node.width;
        scattered += 2 * features(input);
        break;
      case "readout":
        macs += params() * positions(output);
        elements += features(input) + features(output);
        break;
      case "mlp":
        macs += params() * positions(input);
        elements += features(output) + node.depth * node.width * positions(input);
        break;
      case "glu":
        macs += params() * positions(input);
        elements += 3 * node.width * positions(input) + features(output);
        break;
      case "linear":
        macs += params() * positions(input);
        elements += features(output);
        break;
      case "norm":
        elements += 4 * features(input);
        break;
      default:
        elements += features(input);
    }
  }
  return { macs, elements, scattered, kernels, tensors };
}
