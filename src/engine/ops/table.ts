// The one table of primitive ops. Its type requires a rule for every op named in
// OpAttrs (rule.ts), so a missing rule is a compile error.

import { add, affine, clamp, div, mul, select, sub, unaryRule } from "./elementwise.js";
import { gather, logSoftmax, pick } from "./indexing.js";
import { matmul } from "./matmul.js";
import { max, sum } from "./reduce.js";
import type { RuleTable } from "./rule.js";
import { concat, expand, reshape, slice, transpose } from "./shape.js";

export const rules: RuleTable = {
  matmul,
  add,
  sub,
  mul,
  div,
  neg: unaryRule("neg"),
  relu: unaryRule("relu"),
  gelu: unaryRule("gelu"),
  tanh: unaryRule("tanh"),
  sigmoid: unaryRule("sigmoid"),
  exp: unaryRule("exp"),
  log: unaryRule("log"),
  sqrt: unaryRule("sqrt"),
  abs: unaryRule("abs"),
  square: unaryRule("square"),
  rsqrt: unaryRule("rsqrt"),
  affine,
  clamp,
  select,
  sum,
  max,
  reshape,
  transpose,
  slice,
  concat,
  expand,
  gather,
  pick,
  logSoftmax,
};
