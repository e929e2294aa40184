// Runs a primitive op through its rule and records it on the tape when autograd
// is on and any input requires grad.

import type { Tensor } from "../tensor.js";
import type { Op, OpAttrs, Rule } from "./rule.js";
import { rules } from "./table.js";

export function apply<K extends Op>(op: K, inputs: Tensor[], attrs: OpAttrs[K]): Tensor {
  for (const t of inputs) t.assertLive(op);
  const rule = rules[op] as Rule<K>;
  const out = rule.forward(inputs, attrs);
  if (out.engine.isGradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { op, inputs, attrs };
  }
  return out;
}
