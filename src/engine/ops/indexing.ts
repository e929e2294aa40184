// Integer-indexed primitives: gather (embedding lookup, scatter-add backward) and
// pick (one entry per row along the last axis, for cross-entropy), plus logSoftmax.
//
// Population convention for gather: a table [V, D] is one model's; a table [P, V, D]
// is a population's. Its indices are shared by every member ([...]) unless
// perMemberIndex is set, in which case idx is [P, ...] and member p reads idx[p].

import { shapeString, type Tensor } from "../tensor.js";
import { ShapeError, expectCount, expectDtype, type Rule } from "./rule.js";

function checkIndexRange(op: string, idx: Tensor, limit: number, inputs: Tensor[]): void {
  const values = idx.engine.heap.i32;
  const start = idx.ptr / 4;
  for (let i = 0; i < idx.size; i++) {
    const v = values[start + i]!;
    if (v < 0 || v >= limit) throw new ShapeError(op, `index ${v} at position ${i} is outside [0, ${limit})`, inputs);
  }
}

interface GatherPlan { batch: number; V: number; D: number; nIdx: number; idxStride: number; outShape: number[] }

function gatherPlan(table: Tensor, idx: Tensor, perMemberIndex: boolean, inputs: Tensor[]): GatherPlan {
  if (table.rank !== 2 && table.rank !== 3) throw new ShapeError("gather", "table must be [V, D] or [P, V, D]", inputs);
  const [V, D] = table.shape.slice(-2) as [number, number];
  const batch = table.rank === 3 ? table.shape[0]! : 1;
  if (perMemberIndex) {
    if (table.rank !== 3 || idx.shape[0] !== batch) {
      throw new ShapeError("gather", `perMemberIndex needs a [P, V, D] table and indices [P, ...] with the same P`, inputs);
    }
    const nIdx = idx.size / batch;
    return { batch, V, D, nIdx, idxStride: nIdx, outShape: [...idx.shape, D] };
  }
  const lead = table.rank === 3 ? [batch] : [];
  return { batch, V, D, nIdx: idx.size, idxStride: 0, outShape: [...lead, ...idx.shape, D] };
}

export const gather: Rule<"gather"> = {
  forward(inputs, { perMemberIndex }) {
    expectCount("gather", inputs, 2);
    expectDtype("gather", inputs, 0, "f32");
    expectDtype("gather", inputs, 1, "i32");
    const [table, idx] = inputs as [Tensor, Tensor];
    const p = gatherPlan(table, idx, perMemberIndex, inputs);
    checkIndexRange("gather", idx, p.V, inputs);
    const out = table.engine.empty(p.outShape);
    table.engine.kernels.gather(out.ptr, table.ptr, idx.ptr, p.batch, p.nIdx, p.V, p.D, p.idxStride);
    return out;
  },
  backward(_out, g, [table, idx], { perMemberIndex }) {
    const p = gatherPlan(table!, idx!, perMemberIndex, [table!, idx!]);
    const dTable = g.engine.zeros(table!.shape);
    g.engine.kernels.gatherBackward(dTable.ptr, idx!.ptr, g.ptr, p.batch, p.nIdx, p.V, p.D, p.idxStride);
    return [dTable, null];
  },
};

/** idx must match the trailing dims of x.shape[:-1]; leading dims (a population) share it. */
function pickPlan(x: Tensor, idx: Tensor, inputs: Tensor[]): { rows: number; C: number; idxRows: number } {
  if (x.rank < 1) throw new ShapeError("pick", "x needs at least one dim", inputs);
  const rowShape = x.shape.slice(0, -1);
  const tail = rowShape.slice(rowShape.length - idx.rank);
  if (idx.rank > rowShape.length || tail.some((d, i) => d !== idx.shape[i])) {
    throw new ShapeError("pick", `indices ${shapeString(idx.shape)} must match the trailing dims of ${shapeString(rowShape)}`, inputs);
  }
  const C = x.shape[x.rank - 1]!;
  return { rows: x.size / C, C, idxRows: idx.size };
}

export const pick: Rule<"pick"> = {
  forward(inputs) {
    expectCount("pick", inputs, 2);
    expectDtype("pick", inputs, 0, "f32");
    expectDtype("pick", inputs, 1, "i32");
    const [x, idx] = inputs as [Tensor, Tensor];
    const p = pickPlan(x, idx, inputs);
    checkIndexRange("pick", idx, p.C, inputs);
    const out = x.engine.empty(x.shape.slice(0, -1));
    if (p.rows > 0) x.engine.kernels.pick(out.ptr, x.ptr, idx.ptr, p.rows, p.C, p.idxRows);
    return out;
  },
  backward(_out, g, [x, idx]) {
    const p = pickPlan(x!, idx!, [x!, idx!]);
    const dx = g.engine.zeros(x!.shape);
    if (p.rows > 0) g.engine.kernels.pickBackward(dx.ptr, idx!.ptr, g.ptr, p.rows, p.C, p.idxRows);
    return [dx, null];
  },
};

export const logSoftmax: Rule<"logSoftmax"> = {
  forward(inputs) {
    expectCount("logSoftmax", inputs, 1);
    expectDtype("logSoftmax", inputs, 0, "f32");
    const x = inputs[0]!;
    if (x.rank < 1) throw new ShapeError("logSoftmax", "x needs at least one dim", inputs);
    const C = x.shape[x.rank - 1]!;
    const out = x.engine.empty(x.shape);
    x.engine.kernels.logSoftmax(out.ptr, x.ptr, x.size / C, C);
    return out;
  },
  backward(out, g) {
    const C = out.shape[out.rank - 1]!;
    const dx = g.engine.empty(out.shape);
    g.engine.kernels.logSoftmaxBackward(dx.ptr, out.ptr, g.ptr, out.size / C, C, 0);
    return [dx];
  },
};
