// Layout primitives: reshape (a view), transpose (any permutation), slice, concat
// and expand (numpy broadcast). Backward passes are the inverse layout moves.

import { sizeOf, type Tensor } from "../tensor.js";
import { broadcastShapes, contiguousStrides, normalizeAxis, sameShape } from "./layout.js";
import { copyStridedInto, rawExpand, rawTranspose, sumToShape } from "./raw.js";
import { ShapeError, expectCount, type Rule } from "./rule.js";

function axisOrThrow(op: string, axis: number, rank: number, inputs: Tensor[]): number {
  try {
    return normalizeAxis(axis, rank, op);
  } catch (e) {
    throw new ShapeError(op, (e as Error).message.replace(`${op}: `, ""), inputs);
  }
}

export const reshape: Rule<"reshape"> = {
  forward(inputs, { shape }) {
    expectCount("reshape", inputs, 1);
    const x = inputs[0]!;
    if (shape.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(shape) !== x.size) {
      throw new ShapeError("reshape", `cannot view ${x.size} elements as [${shape.join(", ")}]`, inputs);
    }
    return x.engine.view(x, shape);
  },
  backward(_out, g, [x]) {
    return [g.engine.view(g, x!.shape)];
  },
};

export const transpose: Rule<"transpose"> = {
  forward(inputs, { perm }) {
    expectCount("transpose", inputs, 1);
    const x = inputs[0]!;
    const valid = perm.length === x.rank && [...perm].sort((a, b) => a - b).every((p, i) => p === i);
    if (!valid) throw new ShapeError("transpose", `[${perm.join(", ")}] is not a permutation of ${x.rank} axes`, inputs);
    return rawTranspose(x, perm);
  },
  backward(_out, g, _inputs, { perm }) {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [rawTranspose(g, inverse)];
  },
};

export const slice: Rule<"slice"> = {
  forward(inputs, { axis, start, end }) {
    expectCount("slice", inputs, 1);
    const x = inputs[0]!;
    const a = axisOrThrow("slice", axis, x.rank, inputs);
    const len = x.shape[a]!;
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= len)) {
      throw new ShapeError("slice", `range [${start}, ${end}) does not fit axis ${a} of length ${len}`, inputs);
    }
    const shape = x.shape.map((d, i) => (i === a ? end - start : d));
    const out = x.engine.empty(shape, x.dtype);
    const xs = contiguousStrides(x.shape);
    copyStridedInto(out, 0, contiguousStrides(shape), x, start * xs[a]!, xs, shape, false);
    return out;
  },
  backward(out, g, [x], { axis, start }) {
    const a = normalizeAxis(axis, x!.rank, "slice");
    const dx = g.engine.zeros(x!.shape);
    const xs = contiguousStrides(x!.shape);
    copyStridedInto(dx, start * xs[a]!, xs, g, 0, contiguousStrides(out.shape), out.shape, false);
    return [dx];
  },
};

export const concat: Rule<"concat"> = {
  forward(inputs, { axis }) {
    if (inputs.length === 0) throw new ShapeError("concat", "needs at least one input", inputs);
    const first = inputs[0]!;
    const a = axisOrThrow("concat", axis, first.rank, inputs);
    for (const t of inputs) {
      const fits = t.rank === first.rank && t.dtype === first.dtype && t.shape.every((d, i) => i === a || d === first.shape[i]);
      if (!fits) throw new ShapeError("concat", `inputs must match except along axis ${a}`, inputs);
    }
    const total = inputs.reduce((s, t) => s + t.shape[a]!, 0);
    const shape = first.shape.map((d, i) => (i === a ? total : d));
    const out = first.engine.empty(shape, first.dtype);
    const os = contiguousStrides(shape);
    let at = 0;
    for (const t of inputs) {
      copyStridedInto(out, at * os[a]!, os, t, 0, contiguousStrides(t.shape), t.shape, false);
      at += t.shape[a]!;
    }
    return out;
  },
  backward(out, g, inputs, { axis }) {
    const a = normalizeAxis(axis, out.rank, "concat");
    const gs = contiguousStrides(out.shape);
    let at = 0;
    return inputs.map((t) => {
      const from = at;
      at += t.shape[a]!;
      if (!t.requiresGrad) return null;
      const dt = g.engine.empty(t.shape);
      copyStridedInto(dt, 0, contiguousStrides(t.shape), g, from * gs[a]!, gs, t.shape, false);
      return dt;
    });
  },
};

export const expand: Rule<"expand"> = {
  forward(inputs, { shape }) {
    expectCount("expand", inputs, 1);
    const x = inputs[0]!;
    const target = broadcastShapes(x.shape, shape);
    if (!target || !sameShape(target, shape)) {
      throw new ShapeError("expand", `cannot broadcast to [${shape.join(", ")}]`, inputs);
    }
    return rawExpand(x, shape);
  },
  backward(_out, g, [x]) {
    return [sumToShape(g, x!.shape)];
  },
};
