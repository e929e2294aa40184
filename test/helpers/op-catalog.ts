// Every differentiable function under a name, with the attribute format of the
// PyTorch fixtures (scripts/make_torch_fixtures.py). The fixture test and the
// finite-difference test both drive ops through this one catalog.

import { F, causalSelfAttention, crossEntropy, layerNorm, mse, rmsNorm, silu, softmax, type Tensor } from "../../src/engine/index.js";

type Attrs = Record<string, unknown>;
export type CatalogEntry = (inputs: Tensor[], attrs: Attrs) => Tensor;

const reduceOpts = (a: Attrs) => ({ axes: (a.axes as number[] | null) ?? null, keepdim: Boolean(a.keepdim) });

export const catalog: Record<string, CatalogEntry> = {
  matmul: ([a, b], at) => F.matmul(a!, b!, { transA: Boolean(at.transA), transB: Boolean(at.transB) }),
  add: ([a, b]) => F.add(a!, b!),
  sub: ([a, b]) => F.sub(a!, b!),
  mul: ([a, b]) => F.mul(a!, b!),
  div: ([a, b]) => F.div(a!, b!),
  neg: ([x]) => F.neg(x!),
  relu: ([x]) => F.relu(x!),
  gelu: ([x]) => F.gelu(x!),
  tanh: ([x]) => F.tanh(x!),
  sigmoid: ([x]) => F.sigmoid(x!),
  silu: ([x]) => silu(x!),
  exp: ([x]) => F.exp(x!),
  log: ([x]) => F.log(x!),
  sqrt: ([x]) => F.sqrt(x!),
  rsqrt: ([x]) => F.rsqrt(x!),
  abs: ([x]) => F.abs(x!),
  square: ([x]) => F.square(x!),
  affine: ([x], at) => F.affine(x!, at.alpha as number, at.beta as number),
  clamp: ([x], at) => F.clamp(x!, at.min as number, at.max as number),
  where: ([c, a, b]) => F.where(c!, a!, b!),
  sum: ([x], at) => F.sum(x!, reduceOpts(at)),
  mean: ([x], at) => F.mean(x!, reduceOpts(at)),
  max: ([x], at) => F.max(x!, reduceOpts(at)),
  reshape: ([x], at) => F.reshape(x!, at.shape as number[]),
  transpose: ([x], at) => F.transpose(x!, at.perm as number[]),
  slice: ([x], at) => F.slice(x!, at.axis as number, at.start as number, at.end as number),
  concat: (xs, at) => F.concat(xs, at.axis as number),
  expand: ([x], at) => F.expand(x!, at.shape as number[]),
  embedding: ([t, i], at) => F.gather(t!, i!, { perMemberIndex: Boolean(at.perMemberIndex) }),
  pick: ([x, i]) => F.pick(x!, i!),
  softmax: ([x]) => softmax(x!),
  logSoftmax: ([x]) => F.logSoftmax(x!),
  crossEntropy: ([x, y], at) => crossEntropy(x!, y!, { batchDims: (at.batchDims as number) ?? 0 }),
  mse: ([p, t]) => mse(p!, t!),
  layerNorm: ([x, w, b], at) => layerNorm(x!, w!, b!, at.eps as number),
  rmsNorm: ([x, w], at) => rmsNorm(x!, w!, at.eps as number),
  causalSelfAttention: ([x, q, k, v, o], at) => causalSelfAttention(x!, q!, k!, v!, o!, { heads: at.heads as number }),
};

/** Which catalog entry exercises each primitive op of the rule table. */
export const primitiveCoverage: Record<string, string> = {
  gather: "embedding",
  select: "where",
};
