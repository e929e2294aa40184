// Reductions over a set of axes: sum and max (with keepdim). Mean is composite
// (sum times a constant, see nn/functional.ts).

import type { Tensor } from "../tensor.js";
import { normalizeAxis } from "./layout.js";
import { axesToEnd, rawExpand, rawSumKeepdim, rawTranspose, trailingSplit } from "./raw.js";
import { ShapeError, expectCount, expectDtype, type ReduceAttrs, type Rule } from "./rule.js";

/** The axes normalized (negative counts from the end), sorted and checked for repeats. */
export function resolveAxes(op: string, x: Tensor, axes: number[], inputs: Tensor[]): number[] {
  const norm = axes.map((a) => {
    try {
      return normalizeAxis(a, x.rank, op);
    } catch (e) {
      throw new ShapeError(op, (e as Error).message.replace(`${op}: `, ""), inputs);
    }
  });
  const sorted = [...new Set(norm)].sort((p, q) => p - q);
  if (sorted.length !== norm.length) throw new ShapeError(op, `repeated axis in [${axes.join(", ")}]`, inputs);
  return sorted;
}

function reducedShape(x: Tensor, axes: number[], keepdim: boolean): number[] {
  const shape: number[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.includes(i)) shape.push(d);
    else if (keepdim) shape.push(1);
  });
  return shape;
}

function checkReduce(op: string, inputs: Tensor[], attrs: ReduceAttrs): number[] {
  expectCount(op, inputs, 1);
  expectDtype(op, inputs, 0, "f32");
  return resolveAxes(op, inputs[0]!, attrs.axes, inputs);
}

export const sum: Rule<"sum"> = {
  forward(inputs, attrs) {
    const x = inputs[0]!;
    const axes = checkReduce("sum", inputs, attrs);
    const kept = rawSumKeepdim(x, axes);
    return x.engine.view(kept, reducedShape(x, axes, attrs.keepdim));
  },
  backward(_out, g, [x], attrs) {
    const axes = resolveAxes("sum", x!, attrs.axes, [x!]);
    const kept = g.engine.view(g, reducedShape(x!, axes, true));
    return [rawExpand(kept, x!.shape)];
  },
};

export const max: Rule<"max"> = {
  forward(inputs, attrs) {
    const x = inputs[0]!;
    const axes = checkReduce("max", inputs, attrs);
    for (const a of axes) {
      if (x.shape[a] === 0) throw new ShapeError("max", `cannot reduce the empty axis ${a}`, inputs);
    }
    const moved = axesToEnd(x, axes);
    const [outer, len] = trailingSplit(moved.shape, axes.length);
    const out = x.engine.empty(reducedShape(x, axes, attrs.keepdim));
    x.engine.kernels.reduceMax(out.ptr, moved.ptr, outer, len, 1);
    if (moved !== x) moved.dispose();
    return out;
  },
  backward(out, g, [x], attrs) {
    const engine = g.engine;
    const axes = resolveAxes("max", x!, attrs.axes, [x!]);
    const moved = axesToEnd(x!, axes);
    const [outer, len] = trailingSplit(moved.shape, axes.length);
    const dMoved = engine.empty(moved.shape);
    engine.kernels.reduceMaxBackward(dMoved.ptr, moved.ptr, out.ptr, g.ptr, outer, len, 1, 0);
    if (moved === x) return [dMoved];
    // undo the permutation: moved axes order is [rest..., axes...]
    const rest = x!.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const perm = [...rest, ...axes];
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [rawTranspose(dMoved, inverse)];
  },
};
