// Composite functions built only from primitives (their gradients come from the
// primitives' rules): silu, softmax, cross-entropy, MSE, dropout.
//
// Losses take `batchDims`: the number of leading dims that are kept, one loss per
// entry. A population's logits [P, B, C] with batchDims 1 give one loss per member,
// shape [P]; the default 0 averages everything into a scalar, as PyTorch does.

import type { Tensor } from "../tensor.js";
import { Rng, Stream } from "../rng.js";
import { exp, logSoftmax, mean, mul, neg, pick, sigmoid, square, sub } from "../ops/functions.js";

export interface LossOptions { batchDims?: number }

function lossAxes(rank: number, batchDims: number): number[] {
  const axes: number[] = [];
  for (let i = batchDims; i < rank; i++) axes.push(i);
  return axes;
}

export const silu = (x: Tensor): Tensor => mul(x, sigmoid(x));

/** softmax along the last axis, as exp(logSoftmax(x)) */
export const softmax = (x: Tensor): Tensor => exp(logSoftmax(x));

/** Mean negative log-likelihood of integer labels under softmax(logits) over the last axis. */
export function crossEntropy(logits: Tensor, labels: Tensor, o: LossOptions = {}): Tensor {
  const picked = pick(logSoftmax(logits), labels);
  return neg(mean(picked, { axes: lossAxes(picked.rank, o.batchDims ?? 0) }));
}

/** Mean squared error. */
export function mse(pred: Tensor, target: Tensor, o: LossOptions = {}): Tensor {
  const d = square(sub(pred, target));
  return mean(d, { axes: lossAxes(d.rank, o.batchDims ?? 0) });
}

export interface DropoutOptions {
  /** drop probability */
  p: number;
  /** one seed per population member (the leading dim of x), or one seed for all of x */
  seeds: readonly number[];
  /** counter offset: pass the step number so that every step draws a fresh mask */
  step: number;
}

/**
 * Inverted dropout: zeroes each entry with probability p and scales the rest by
 * 1/(1-p). The mask of member m depends only on (seeds[m], step), so a member gets
 * the same mask alone or in a population.
 */
export function dropout(x: Tensor, o: DropoutOptions): Tensor {
  if (o.p === 0) return x;
  if (!(o.p > 0 && o.p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${o.p}`);
  const members = o.seeds.length;
  if (members !== 1 && x.shape[0] !== members) {
    throw new Error(`dropout: ${members} seeds for leading dim ${x.shape[0]}; give one seed per member or one in all`);
  }
  const per = x.size / members;
  const mask = new Float32Array(x.size);
  const keep = 1 / (1 - o.p);
  for (let m = 0; m < members; m++) {
    // stream = dropout, counter starts at step * per: masks of successive steps never overlap
    const rng = new Rng(o.seeds[m]!, Stream.dropout, o.step * per);
    for (let i = 0; i < per; i++) mask[m * per + i] = rng.uniform() < o.p ? 0 : keep;
  }
  return mul(x, x.engine.tensor(mask, x.shape));
}
