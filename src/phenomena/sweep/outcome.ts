// Outcomes the sweep detectors compare along an axis: per run, the final test
// loss and accuracy (median of the last evaluations) and whether it diverged;
// per point, these pooled over the repeats (mean log loss of the runs that did
// not diverge, the spread of their log losses, the fraction that diverged).

import type { RunView } from "../detector.js";
import { logLoss, series, tailMedian } from "../series.js";
import type { SweepPoint } from "./view.js";

/** the final test loss is the median of this many last finite evaluations */
export const FINAL_POINTS = 3;

/** diverged: marked so by the runner, or its last recorded test or train loss is not finite */
export function isDiverged(run: RunView): boolean {
  if (run.status === "diverged" || run.divergedAt !== null) return true;
  for (const metric of ["test_loss", "train_loss"]) {
    const c = run.curves[metric];
    const n = c ? Math.min(c.steps.length, c.values.length) : 0;
    if (n > 0 && !Number.isFinite(c!.values[n - 1]!)) return true;
  }
  return false;
}

/** median of the last FINAL_POINTS finite test losses (NaN when none) */
export function finalTestLoss(run: RunView): number {
  return tailMedian(series(run, "test_loss").values, FINAL_POINTS);
}

/** median of the last FINAL_POINTS finite test accuracies (NaN when none) */
export function finalTestAccuracy(run: RunView): number {
  return tailMedian(series(run, "test_acc").values, FINAL_POINTS);
}

/** What a point on an axis came to, its repeats pooled. */
export interface PointOutcome {
  value: number;
  runIds: string[];
  /** fraction of the point's runs that diverged */
  divergedFraction: number;
  /** mean log10 final test loss over the runs that did not diverge (NaN when none) */
  logLoss: number;
  /** max - min of those log losses: the spread across repeats (0 for one run) */
  logLossSpread: number;
  /** mean final test accuracy over the runs that did not diverge (NaN when none) */
  accuracy: number;
  /** median parameter count of the point's runs (NaN when unknown) */
  paramCount: number;
  /** the task's train set size when it is a number (NaN otherwise) */
  trainSize: number;
}

export function pointOutcome(point: SweepPoint): PointOutcome {
  const healthy = point.runs.filter((r) => !isDiverged(r));
  const logs = healthy.map(finalTestLoss).filter(Number.isFinite).map(logLoss);
  const accs = healthy.map(finalTestAccuracy).filter(Number.isFinite);
  const params = point.runs.map((r) => r.paramCount).filter((p): p is number => typeof p === "number" && Number.isFinite(p));
  const sizes = point.runs.map((r) => trainSizeOf(r.config)).filter(Number.isFinite);
  return {
    value: point.value,
    runIds: point.runs.map((r) => r.id),
    divergedFraction: point.runs.length === 0 ? 0 : (point.runs.length - healthy.length) / point.runs.length,
    logLoss: mean(logs),
    logLossSpread: logs.length < 2 ? 0 : Math.max(...logs) - Math.min(...logs),
    accuracy: mean(accs),
    paramCount: median(params),
    trainSize: median(sizes),
  };
}

function trainSizeOf(config: unknown): number {
  const task = config !== null && typeof config === "object" ? (config as Record<string, unknown>)["task"] : undefined;
  const n = task !== null && typeof task === "object" ? (task as Record<string, unknown>)["trainSize"] : undefined;
  return typeof n === "number" ? n : NaN;
}

function mean(xs: number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function median(xs: number[]): number {
  return xs.length === 0 ? NaN : tailMedian(xs, xs.length);
}

