// Symbolic regression: fit a named formula f(x, y) of two inputs uniform in [-1, 1],
// with Gaussian target noise of std `noise`. The formulas are the smooth toy functions
// used to probe compositional fitting (e.g. exp(sin(pi x) + y^2) from Liu et al. 2024,
// "KAN"), listed from easiest to hardest.
//
// Difficulty: picks the formula at position round(d * (count - 1)) of that list, from
// "x+y" (d = 0) to "sin(3*pi*x)*cos(3*pi*y)" (d = 1).

import { z } from "zod";
import type { TaskFamily, TaskSpec } from "./family.js";
import { clamp01, generatedTask, specOf } from "./data.js";

/** Formulas from easiest to hardest. */
export const formulas = {
  "x+y": (x: number, y: number) => x + y,
  "x^2+y^2": (x: number, y: number) => x * x + y * y,
  "x*y": (x: number, y: number) => x * y,
  "sqrt(x^2+y^2)": (x: number, y: number) => Math.sqrt(x * x + y * y),
  "sin(pi*x)*cos(pi*y)": (x: number, y: number) => Math.sin(Math.PI * x) * Math.cos(Math.PI * y),
  "tanh(5*x*y)": (x: number, y: number) => Math.tanh(5 * x * y),
  "exp(sin(pi*x)+y^2)": (x: number, y: number) => Math.exp(Math.sin(Math.PI * x) + y * y),
  "sin(3*pi*x)*cos(3*pi*y)": (x: number, y: number) => Math.sin(3 * Math.PI * x) * Math.cos(3 * Math.PI * y),
} as const;

export type FormulaName = keyof typeof formulas;
export const formulaNames = Object.keys(formulas) as [FormulaName, ...FormulaName[]];

const params = z.object({
  formula: z.enum(formulaNames).default("exp(sin(pi*x)+y^2)").describe("the target f(x, y), x and y uniform in [-1, 1]"),
  noise: z.number().min(0).max(10).default(0).describe("std of Gaussian noise added to the target"),
});

export type SymbolicRegressionParams = z.infer<typeof params>;

function taskSpec(_p: SymbolicRegressionParams): TaskSpec {
  return specOf({ kind: "vector", dim: 2 }, { kind: "regression", dim: 1 });
}

export const symbolicRegression: TaskFamily<typeof params> = {
  name: "symbolic-regression",
  summary: "regress a named formula of two inputs uniform in [-1, 1], e.g. exp(sin(pi*x)+y^2).",
  params,
  difficulty(d) {
    return { formula: formulaNames[Math.round(clamp01(d) * (formulaNames.length - 1))]! };
  },
  spec: taskSpec,
  build(p, seed, sizes) {
    const f = formulas[p.formula];
    return generatedTask(taskSpec(p), seed, sizes, (rng, x, xo, y, yo) => {
      const a = Math.fround(2 * rng.uniform() - 1), b = Math.fround(2 * rng.uniform() - 1);
      x[xo] = a;
      x[xo + 1] = b;
      y[yo] = f(a, b) + p.noise * rng.normal();
    });
  },
};
