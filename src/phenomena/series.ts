// Small helpers over curves: finite points, log-step, smoothing, crossings.
// Steps are log-spaced, so "long" and "later" are measured in decades of
// log10(1 + step), and losses are compared in log10 space.

import type { RunView } from "./detector.js";

export interface Series {
  steps: number[];
  values: number[];
}

/** The finite points of a metric (empty when the metric is absent). */
export function series(run: RunView, metric: string): Series {
  const c = run.curves[metric];
  const out: Series = { steps: [], values: [] };
  if (!c) return out;
  const n = Math.min(c.steps.length, c.values.length);
  for (let i = 0; i < n; i++) {
    const v = c.values[i]!;
    if (Number.isFinite(v)) {
      out.steps.push(c.steps[i]!);
      out.values.push(v);
    }
  }
  return out;
}

/** All points of a metric, non-finite values included (for divergence). */
export function rawSeries(run: RunView, metric: string): Series {
  const c = run.curves[metric];
  if (!c) return { steps: [], values: [] };
  const n = Math.min(c.steps.length, c.values.length);
  return { steps: Array.from(c.steps).slice(0, n), values: Array.from(c.values).slice(0, n) };
}

export function logStep(step: number): number {
  return Math.log10(1 + Math.max(0, step));
}

/** log10 of a loss, floored so that a loss of 0 stays finite. */
export function logLoss(v: number): number {
  return Math.log10(Math.max(v, 1e-12));
}

/** Index of the first value satisfying pred, or -1. */
export function firstIndex(values: number[], pred: (v: number, i: number) => boolean): number {
  for (let i = 0; i < values.length; i++) if (pred(values[i]!, i)) return i;
  return -1;
}

/** Running median of three (ends kept), to ignore single-point noise. */
export function median3(values: number[]): number[] {
  return values.map((v, i) => {
    if (i === 0 || i === values.length - 1) return v;
    const a = values[i - 1]!, b = v, c = values[i + 1]!;
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  });
}

/** Median of the last k values (NaN when empty). */
export function tailMedian(values: number[], k = 3): number {
  const tail = values.slice(-k).sort((a, b) => a - b);
  if (tail.length === 0) return NaN;
  const m = tail.length >> 1;
  return tail.length % 2 === 1 ? tail[m]! : (tail[m - 1]! + tail[m]!) / 2;
}

export function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : x > 0 ? 1 : 0;
}

/** A number as a person would read it in a sentence. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  return Number(x.toPrecision(3)).toString();
}

/** Rounds evidence values so findings stay small and stable. */
export function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}
