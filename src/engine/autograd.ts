// Reverse-mode autograd over the primitive ops of ops/table.ts.
//
// Every recorded op leaves a TapeNode on its output. backward() orders the nodes
// that lead to the loss topologically, walks them in reverse and asks each op's
// rule for the gradients of its inputs. Leaves that require grad (parameters)
// accumulate into `.grad`, as in PyTorch; intermediate gradients are ordinary
// tensors of the current scope and are freed with it.

import { Tensor, shapeString } from "./tensor.js";
import { BinaryOp } from "./kernels/kernels.js";
import type { Op, OpAttrs } from "./ops/rule.js";
import { rules } from "./ops/table.js";
import { rawCopy } from "./ops/raw.js";

export interface TapeNode<K extends Op = Op> {
  op: K;
  inputs: Tensor[];
  attrs: OpAttrs[K];
}

/** Adds src into dst elementwise (same shape). */
function addInto(dst: Tensor, src: Tensor): void {
  const n = dst.size;
  dst.engine.kernels.binary(dst.ptr, dst.ptr, src.ptr, [1, 1, 1, n], [0, 0, 0, 1], [0, 0, 0, 1], BinaryOp.add);
}

function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: deep models would overflow the call stack with recursion.
  const stack: Array<{ t: Tensor; next: number }> = [{ t: root, next: 0 }];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const inputs = top.t.node?.inputs ?? [];
    if (top.next < inputs.length) {
      const child = inputs[top.next++]!;
      if (!seen.has(child) && child.requiresGrad) {
        seen.add(child);
        stack.push({ t: child, next: 0 });
      }
    } else {
      order.push(top.t);
      stack.pop();
    }
  }
  return order;
}

/**
 * Backpropagates from `loss`. A non-scalar loss (e.g. one loss per population
 * member, shape [P]) is seeded with ones, i.e. the gradient of its sum; members
 * stay independent because no op mixes them.
 * `seed` overrides the initial gradient (same shape as loss).
 */
export function backward(loss: Tensor, seed?: Tensor): void {
  const engine = loss.engine;
  if (!loss.requiresGrad) throw new Error(`backward: the loss ${shapeString(loss.shape)} does not require grad`);
  if (seed && seed.size !== loss.size) {
    throw new Error(`backward: seed ${shapeString(seed.shape)} does not match loss ${shapeString(loss.shape)}`);
  }
  engine.noGrad(() => {
    const grads = new Map<Tensor, Tensor>();
    // Buffers held by pending gradients. A rule may pass one gradient on to several
    // inputs (add, reshape); those must not share a buffer that is accumulated into.
    const held = new Set<Tensor>();
    const hold = (input: Tensor, g: Tensor): void => {
      const owner = g.base ?? g;
      const own = held.has(owner) ? rawCopy(g) : g;
      held.add(own.base ?? own);
      grads.set(input, own);
    };
    hold(loss, seed ?? engine.full(loss.shape, 1));
    const order = topologicalOrder(loss);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const g = grads.get(t);
      if (!g) continue;
      const node = t.node;
      if (!node) {
        accumulateLeaf(t, g);
        continue;
      }
      grads.delete(t);
      held.delete(g.base ?? g);
      const rule = rules[node.op] as unknown as {
        backward(out: Tensor, gradOut: Tensor, inputs: Tensor[], attrs: unknown): Array<Tensor | null>;
      };
      const inputGrads = rule.backward(t, g, node.inputs, node.attrs);
      node.inputs.forEach((input, k) => {
        const ig = inputGrads[k];
        if (!ig || !input.requiresGrad) return;
        if (ig.size !== input.size) {
          throw new Error(`backward of ${node.op}: gradient ${shapeString(ig.shape)} for input ${shapeString(input.shape)}`);
        }
        const have = grads.get(input);
        if (have) addInto(have, ig);
        else hold(input, ig);
      });
    }
  });
}

function accumulateLeaf(leaf: Tensor, g: Tensor): void {
  const engine = leaf.engine;
  if (leaf.grad === null) {
    const grad = engine.keep(engine.empty(leaf.shape));
    engine.kernels.copyStrided(grad.ptr, g.ptr, [1, 1, 1, g.size], [0, 0, 0, 1], [0, 0, 0, 1], 0);
    leaf.grad = grad;
  } else {
    addInto(leaf.grad, g);
  }
}
