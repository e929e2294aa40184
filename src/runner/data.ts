// Turning task examples into population tensors: member m's examples fill slice m of
// x [P, B, ...] and y [P, B, ...]. Members with the same task seed share one task
// instance (and so one train/test set).

import type { Engine, Tensor } from "../engine/index.js";
import type { Examples, TaskInstance, TaskSpec } from "../universe/tasks/family.js";

/** Values per example of x and y under a spec. */
export function exampleWidths(spec: TaskSpec): { x: number[]; y: number[] } {
  const x = spec.input.kind === "vector" ? [spec.input.dim] : [spec.input.length];
  const out = spec.output;
  const y = out.kind === "regression" ? [out.dim] : out.positions === null ? [] : [out.positions];
  return { x, y };
}

/** The rows [from, from + count) of an Examples set. */
export function sliceExamples(e: Examples, from: number, count: number, spec: TaskSpec): Examples {
  const w = exampleWidths(spec);
  const xw = w.x.reduce((a, b) => a * b, 1), yw = w.y.reduce((a, b) => a * b, 1);
  return { n: count, x: e.x.subarray(from * xw, (from + count) * xw), y: e.y.subarray(from * yw, (from + count) * yw) };
}

/** Stacks one Examples per member (all of size n) into x [P, n, ...] and y [P, n, ...]. */
export function stackMembers(engine: Engine, perMember: Examples[], spec: TaskSpec): { x: Tensor; y: Tensor } {
  const P = perMember.length;
  const n = perMember[0]!.n;
  const w = exampleWidths(spec);
  const xDtype = spec.input.kind === "tokens" ? "i32" : "f32";
  const yDtype = spec.output.kind === "classes" ? "i32" : "f32";
  const stack = (parts: Array<Float32Array | Int32Array>, dtype: "f32" | "i32"): Float32Array | Int32Array => {
    const total = parts.reduce((s, p) => s + p.length, 0);
    const out = dtype === "i32" ? new Int32Array(total) : new Float32Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  for (const e of perMember) {
    if (e.n !== n) throw new Error(`stackMembers: members have ${e.n} and ${n} examples`);
  }
  return {
    x: engine.tensor(stack(perMember.map((e) => e.x), xDtype), [P, n, ...w.x], xDtype),
    y: engine.tensor(stack(perMember.map((e) => e.y), yDtype), [P, n, ...w.y], yDtype),
  };
}

/** Builds task instances once per distinct task seed. */
export function instancesBySeed(seeds: number[], build: (seed: number) => TaskInstance): TaskInstance[] {
  const cache = new Map<number, TaskInstance>();
  return seeds.map((s) => {
    let inst = cache.get(s);
    if (!inst) cache.set(s, (inst = build(s)));
    return inst;
  });
}
