// Elementwise primitives: broadcast binary arithmetic, unary functions, affine,
// clamp and select. Each rule has its forward and backward side by side.

import { BinaryOp, UnaryOp, type UnaryOpName } from "../kernels/kernels.js";
import { shapeString, type Tensor } from "../tensor.js";
import { broadcastShapes, sameShape } from "./layout.js";
import { rawBinary, sumToShape } from "./raw.js";
import { ShapeError, expectCount, expectDtype, type Rule } from "./rule.js";

function checkBinary(op: string, inputs: Tensor[]): void {
  expectCount(op, inputs, 2);
  expectDtype(op, inputs, 0, "f32");
  expectDtype(op, inputs, 1, "f32");
  if (!broadcastShapes(inputs[0]!.shape, inputs[1]!.shape)) {
    throw new ShapeError(op, "shapes do not broadcast", inputs);
  }
}

function negated(t: Tensor): Tensor {
  const out = t.engine.empty(t.shape);
  t.engine.kernels.affine(out.ptr, t.ptr, t.size, -1, 0);
  return out;
}

export const add: Rule<"add"> = {
  forward(inputs) {
    checkBinary("add", inputs);
    return rawBinary(BinaryOp.add, inputs[0]!, inputs[1]!);
  },
  backward(_out, g, [a, b]) {
    return [sumToShape(g, a!.shape), sumToShape(g, b!.shape)];
  },
};

export const sub: Rule<"sub"> = {
  forward(inputs) {
    checkBinary("sub", inputs);
    return rawBinary(BinaryOp.sub, inputs[0]!, inputs[1]!);
  },
  backward(_out, g, [a, b]) {
    return [sumToShape(g, a!.shape), b!.requiresGrad ? negated(sumToShape(g, b!.shape)) : null];
  },
};

export const mul: Rule<"mul"> = {
  forward(inputs) {
    checkBinary("mul", inputs);
    return rawBinary(BinaryOp.mul, inputs[0]!, inputs[1]!);
  },
  backward(_out, g, [a, b]) {
    return [
      a!.requiresGrad ? sumToShape(rawBinary(BinaryOp.mul, g, b!), a!.shape) : null,
      b!.requiresGrad ? sumToShape(rawBinary(BinaryOp.mul, g, a!), b!.shape) : null,
    ];
  },
};

export const div: Rule<"div"> = {
  forward(inputs) {
    checkBinary("div", inputs);
    return rawBinary(BinaryOp.div, inputs[0]!, inputs[1]!);
  },
  backward(out, g, [a, b]) {
    // d(a/b)/db = -(a/b)/b = -out/b
    return [
      a!.requiresGrad ? sumToShape(rawBinary(BinaryOp.div, g, b!), a!.shape) : null,
      b!.requiresGrad ? negated(sumToShape(rawBinary(BinaryOp.div, rawBinary(BinaryOp.mul, g, out), b!), b!.shape)) : null,
    ];
  },
};

/** The rule of one unary function; all share the unary/unaryBackward kernels. */
export function unaryRule<K extends UnaryOpName>(name: K): Rule<K> {
  const code = UnaryOp[name];
  return {
    forward(inputs) {
      expectCount(name, inputs, 1);
      expectDtype(name, inputs, 0, "f32");
      const x = inputs[0]!;
      const out = x.engine.empty(x.shape);
      x.engine.kernels.unary(out.ptr, x.ptr, x.size, code);
      return out;
    },
    backward(out, g, [x]) {
      const dx = out.engine.empty(x!.shape);
      out.engine.kernels.unaryBackward(dx.ptr, x!.ptr, out.ptr, g.ptr, x!.size, code, 0);
      return [dx];
    },
  };
}

export const affine: Rule<"affine"> = {
  forward(inputs, { alpha, beta }) {
    expectCount("affine", inputs, 1);
    expectDtype("affine", inputs, 0, "f32");
    const x = inputs[0]!;
    const out = x.engine.empty(x.shape);
    x.engine.kernels.affine(out.ptr, x.ptr, x.size, alpha, beta);
    return out;
  },
  backward(_out, g, [x], { alpha }) {
    const dx = g.engine.empty(x!.shape);
    g.engine.kernels.affine(dx.ptr, g.ptr, g.size, alpha, 0);
    return [dx];
  },
};

export const clamp: Rule<"clamp"> = {
  forward(inputs, { min, max }) {
    expectCount("clamp", inputs, 1);
    expectDtype("clamp", inputs, 0, "f32");
    if (!(min <= max)) throw new ShapeError("clamp", `min ${min} must not exceed max ${max}`, inputs);
    const x = inputs[0]!;
    const out = x.engine.empty(x.shape);
    x.engine.kernels.clamp(out.ptr, x.ptr, x.size, min, max);
    return out;
  },
  backward(_out, g, [x], { min, max }) {
    const dx = g.engine.empty(x!.shape);
    g.engine.kernels.clampBackward(dx.ptr, x!.ptr, g.ptr, g.size, min, max, 0);
    return [dx];
  },
};

export const select: Rule<"select"> = {
  forward(inputs) {
    expectCount("select", inputs, 3);
    inputs.forEach((_, i) => expectDtype("select", inputs, i, "f32"));
    const [cond, a, b] = inputs as [Tensor, Tensor, Tensor];
    if (!sameShape(cond.shape, a.shape) || !sameShape(a.shape, b.shape)) {
      throw new ShapeError("select", `cond, a and b must share one shape, got ${shapeString(cond.shape)}`, inputs);
    }
    const out = a.engine.empty(a.shape);
    a.engine.kernels.where(out.ptr, cond.ptr, a.ptr, b.ptr, a.size);
    return out;
  },
  backward(_out, g, [cond, a, b]) {
    const engine = g.engine;
    const zero = engine.zeros(g.shape);
    let da: Tensor | null = null, db: Tensor | null = null;
    if (a!.requiresGrad) {
      da = engine.empty(g.shape);
      engine.kernels.where(da.ptr, cond!.ptr, g.ptr, zero.ptr, g.size);
    }
    if (b!.requiresGrad) {
      db = engine.empty(g.shape);
      engine.kernels.where(db.ptr, cond!.ptr, zero.ptr, g.ptr, g.size);
    }
    return [null, da, db];
  },
};
