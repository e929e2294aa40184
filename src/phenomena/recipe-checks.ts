// The quantitative check of each recipe: the numbers its source reports,
// measured on the recipe's runs (the grokking delay per train fraction, the
// width of the double-descent peak against n, the sharpness against 2/lr, the
// learning rate where Adam starts to diverge, the plateau length against n).
// Typed by the recipe names, so a recipe without a check is a compile error.

import type { RecipeName } from "../universe/recipes/index.js";
import type { RunView } from "./detector.js";
import { firstIndex, fmt, series, tailMedian } from "./series.js";

/** A recipe run as the checks see it. */
export interface CheckRun {
  sweep: string;
  label: string;
  view: RunView;
}

export interface RecipeCheck {
  /** one line per measured point, for people */
  lines: string[];
  /** the same numbers, for --json */
  values: Record<string, number | null | Record<string, number | null>>;
}

type Check = (runs: CheckRun[]) => RecipeCheck;

const num = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(4)) : null);
/** a step or ratio for a sentence: "never" when the event did not happen */
const at = (x: number): string => (Number.isFinite(x) ? fmt(x) : "never");
/** the run's config, read loosely: a check reads a few known paths and treats anything missing as NaN */
const cfg = (r: CheckRun): Record<string, any> => (r.view.config ?? {}) as Record<string, any>;

/** first step at which metric satisfies pred, NaN if never */
function stepWhere(view: RunView, metric: string, pred: (v: number) => boolean): number {
  const s = series(view, metric);
  const i = firstIndex(s.values, pred);
  return i < 0 ? NaN : s.steps[i]!;
}

function finalValue(view: RunView, metric: string): number {
  return tailMedian(series(view, metric).values, 3);
}

const grokkingFraction: Check = (runs) => {
  const lines: string[] = [];
  const values: RecipeCheck["values"] = {};
  for (const r of runs) {
    const c = cfg(r);
    const train = stepWhere(r.view, "train_acc", (v) => v >= 0.95);
    const test = stepWhere(r.view, "test_acc", (v) => v >= 0.95);
    const testLoss = stepWhere(r.view, "test_loss", (v) => v < 0.01);
    const trainLoss = stepWhere(r.view, "train_loss", (v) => v < 0.01);
    values[r.label] = { fraction: c.task?.trainFraction ?? null, weightDecay: c.train?.weightDecay ?? null, trainAcc95: num(train), testAcc95: num(test), trainLossBelow001: num(trainLoss), testLossBelow001: num(testLoss), delayRatio: num((1 + test) / (1 + train)) };
    lines.push(`${r.label}: train acc >= 0.95 at step ${at(train)}, test acc >= 0.95 at ${at(test)}${Number.isFinite(test) ? ` (${fmt((1 + test) / (1 + train))}x later)` : ""}; ` +
      `train loss < 0.01 at ${at(trainLoss)}, test loss < 0.01 at ${at(testLoss)}`);
  }
  return { lines, values };
};

const randomFeatures: Check = (runs) => {
  const lines: string[] = [];
  const values: RecipeCheck["values"] = {};
  for (const sweep of [...new Set(runs.map((r) => r.sweep))]) {
    const pts = runs.filter((r) => r.sweep === sweep)
      .map((r) => ({ width: Number(cfg(r).model?.children?.[0]?.width), n: Number(cfg(r).task?.trainSize), loss: finalValue(r.view, "test_loss") }))
      .sort((a, b) => a.width - b.width);
    if (pts.length === 0) continue;
    const peak = pts.reduce((a, b) => (b.loss > a.loss ? b : a));
    const left = Math.min(...pts.filter((p) => p.width < peak.width).map((p) => p.loss));
    const right = Math.min(...pts.filter((p) => p.width > peak.width).map((p) => p.loss));
    values[sweep] = { peakWidth: peak.width, n: pts[0]!.n, peakOverN: num(peak.width / pts[0]!.n), peakLoss: num(peak.loss), peakOverLeftMin: Number.isFinite(left) ? num(peak.loss / left) : null, peakOverRightMin: Number.isFinite(right) ? num(peak.loss / right) : null };
    lines.push(`${sweep}: final test loss by width ${pts.map((p) => `${p.width}:${fmt(p.loss)}`).join(" ")}`);
    const side = (m: number, what: string): string => (Number.isFinite(m) ? `${fmt(peak.loss / m)}x the best ${what}` : `no ${what} width`);
    lines.push(`${sweep}: highest at width ${peak.width} (n = ${pts[0]!.n}, width/n = ${fmt(peak.width / pts[0]!.n)}), ${side(left, "narrower")}, ${side(right, "wider")}`);
  }
  return { lines, values };
};

const edgeOfStability: Check = (runs) => {
  const lines: string[] = [];
  const values: RecipeCheck["values"] = {};
  for (const r of runs) {
    const lr = Number(cfg(r).train?.lr);
    const s = series(r.view, "sharpness");
    const lastThird = s.values.slice(Math.floor((2 * s.values.length) / 3));
    const sharp = tailMedian(lastThird, lastThird.length);
    const reach = firstIndex(s.values, (v) => (v * lr) / 2 >= 0.9);
    const reachStep = reach < 0 ? NaN : s.steps[reach]!;
    values[r.label] = { lr, threshold: num(2 / lr), sharpnessLate: num(sharp), ratio: num((sharp * lr) / 2), reachesStep: num(reachStep), status: r.view.status === "diverged" ? 1 : 0 };
    lines.push(`${r.label}: 2/lr = ${fmt(2 / lr)}, sharpness over the last third ${fmt(sharp)} (ratio ${fmt((sharp * lr) / 2)}), ` +
      `first within 10% of 2/lr at step ${at(reachStep)}${r.view.status === "diverged" ? `, diverged at step ${r.view.divergedAt}` : ""}`);
  }
  return { lines, values };
};

const adamLrBoundary: Check = (runs) => {
  const byLr = new Map<number, CheckRun[]>();
  for (const r of runs) {
    const lr = Number(cfg(r).train?.lr);
    byLr.set(lr, [...(byLr.get(lr) ?? []), r]);
  }
  const lines: string[] = [];
  const values: RecipeCheck["values"] = {};
  let stable = NaN, unstable = NaN;
  for (const lr of [...byLr.keys()].sort((a, b) => a - b)) {
    const rs = byLr.get(lr)!;
    const diverged = rs.filter((r) => r.view.status === "diverged").length;
    const jumps = rs.map((r) => maxJump(series(r.view, "train_loss").values));
    const finals = rs.map((r) => finalValue(r.view, "train_loss"));
    if (diverged === 0) stable = lr;
    if (diverged === rs.length && !Number.isFinite(unstable)) unstable = lr;
    values[`lr${lr}`] = { diverged, runs: rs.length, maxJump: num(Math.max(...jumps)), finalLoss: num(Math.min(...finals)) };
    lines.push(`lr ${lr}: ${diverged}/${rs.length} diverged; largest rise over the running minimum ${jumps.map(fmt).join(", ")}x; final train loss ${finals.map(fmt).join(", ")}`);
  }
  values["boundary"] = { largestStableLr: num(stable), smallestDivergingLr: num(unstable) };
  lines.push(`boundary: no run diverges up to lr ${fmt(stable)}, every run diverges from lr ${fmt(unstable)}`);
  return { lines, values };
};

/** the largest ratio of a loss to the running minimum before it */
function maxJump(values: number[]): number {
  let min = Infinity, best = 1;
  for (const v of values) {
    if (min < Infinity && min > 0) best = Math.max(best, v / min);
    min = Math.min(min, v);
  }
  return best;
}

const sparseParity: Check = (runs) => {
  const lines: string[] = [];
  const values: RecipeCheck["values"] = {};
  const points: [number, number][] = [];
  for (const r of runs) {
    const c = cfg(r);
    const initial = series(r.view, "train_loss").values[0] ?? NaN;
    const drop = stepWhere(r.view, "train_loss", (v) => v < initial / 2);
    const n = Number(c.task?.n), k = Number(c.task?.k);
    if (k === 3 && Number.isFinite(drop)) points.push([n, drop]);
    values[r.label] = { n, k, steps: Number(c.train?.steps), dropStep: num(drop) };
    lines.push(`${r.label}: train loss below half its initial value at step ${at(drop)}`);
  }
  const slope = logLogSlope(points);
  values["scaling"] = { exponent: num(slope) };
  lines.push(`k = 3: drop step grows like n^${fmt(slope)} (Barak et al.: the SGD time of (n, k)-parities grows like n^(k-1) to n^k)`);
  return { lines, values };
};

/** least-squares slope of log y on log x */
function logLogSlope(points: [number, number][]): number {
  if (points.length < 2) return NaN;
  const xs = points.map((p) => Math.log(p[0])), ys = points.map((p) => Math.log(p[1]));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length, my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < xs.length; i++) { sxy += (xs[i]! - mx) * (ys[i]! - my); sxx += (xs[i]! - mx) ** 2; }
  return sxx > 0 ? sxy / sxx : NaN;
}

export const RECIPE_CHECKS: { readonly [K in RecipeName]: Check } = {
  "grokking-fraction": grokkingFraction,
  "random-features-double-descent": randomFeatures,
  "edge-of-stability": edgeOfStability,
  "adam-lr-boundary": adamLrBoundary,
  "sparse-parity-plateau": sparseParity,
};
