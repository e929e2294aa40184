// epoch-double-descent: the test loss falls, rises, then falls again below the
// peak in between, over the course of one run. Turning points come from a
// zigzag of the (3-point median) log test loss that ignores moves smaller than
// MIN_MOVE_DECADES; the pattern is fall -> minimum -> peak -> second minimum,
// with the bump spanning at least MIN_SPAN_DECADES of log-step (a one-point
// blip is a spike, not a descent). Each such pattern is one finding.
// On real curves (see `toyworld repro`) two look-alikes are excluded: wiggles
// of an unstable start (the first minimum must lie MIN_MOVE_DECADES below the
// initial test loss: a first descent happened), and a dip inside an overall
// rise (the run must end at least MIN_MOVE_DECADES below the peak: the second
// descent is not undone by the end); the catapult of the first steps (the
// first minimum lies at step >= MIN_START_STEP: on a log axis the first few
// steps look long); and the jumps of an oscillating start
// (the rise from the first minimum to the peak must take MIN_RISE_DECADES of
// log-step: a jump between neighbouring evaluations is a spike).
// Strength: the smaller of the bump height and the second fall, over FULL_MOVE_DECADES.

import type { Detector } from "../detector.js";
import { makeFinding, type Finding } from "../finding.js";
import { clamp01, fmt, logLoss, logStep, median3, round, series, tailMedian } from "../series.js";

/** moves of the log test loss smaller than this (0.05 decades ~ 12%) are noise */
export const MIN_MOVE_DECADES = 0.05;
/** the first minimum and the second lie at least this far apart in decades of step (2x) */
export const MIN_SPAN_DECADES = 0.3;
/** the first minimum lies at this step or later */
export const MIN_START_STEP = 10;
/** the rise from the first minimum to the peak takes at least this long in decades of step (~1.6x) */
export const MIN_RISE_DECADES = 0.2;
/** a bump and second fall of this many decades (2x) score 1 */
export const FULL_MOVE_DECADES = 0.3;

const definition =
  `Test loss falls to a minimum, rises at least ${MIN_MOVE_DECADES} decades to a peak, then falls at least ${MIN_MOVE_DECADES} decades again, ` +
  `the first and second minimum at least ${MIN_SPAN_DECADES} decades of step apart and the rise at least ${MIN_RISE_DECADES}, the first minimum at step >= ${MIN_START_STEP} and below the initial loss, and the ` +
  `final loss below the peak (each by ${MIN_MOVE_DECADES} decades).`;

/** alternating turning points of y, ignoring moves below h */
export function zigzag(y: number[], h: number): number[] {
  if (y.length === 0) return [];
  const pivots = [0];
  let dir = 0;
  let ext = 0;
  for (let i = 1; i < y.length; i++) {
    const v = y[i]!;
    if (dir === 0) {
      if (v - y[0]! >= h) { dir = 1; ext = i; } else if (y[0]! - v >= h) { dir = -1; ext = i; }
    } else if (dir === 1) {
      if (v > y[ext]!) ext = i;
      else if (y[ext]! - v >= h) { pivots.push(ext); dir = -1; ext = i; }
    } else {
      if (v < y[ext]!) ext = i;
      else if (v - y[ext]! >= h) { pivots.push(ext); dir = 1; ext = i; }
    }
  }
  if (dir !== 0) pivots.push(ext);
  return pivots;
}

export const epochDoubleDescent: Detector<"epoch-double-descent"> = {
  kind: "epoch-double-descent",
  version: 2,
  definition,
  detect(run) {
    const { steps, values } = series(run, "test_loss");
    if (values.length < 5) return [];
    const y = median3(values.map(logLoss));
    const x = steps.map(logStep);
    const p = zigzag(y, MIN_MOVE_DECADES);
    const initial = y[0]!;
    const final = logLoss(tailMedian(values, 3));
    const out: Finding[] = [];
    for (let k = 1; k + 2 < p.length; k++) {
      const a = p[k]!, peak = p[k + 1]!, b = p[k + 2]!;
      if (!(y[a]! < y[p[k - 1]!]!) || !(y[peak]! > y[a]!)) continue; // a must be a minimum after a fall
      if (x[b]! - x[a]! < MIN_SPAN_DECADES) continue;
      if (y[a]! > initial - MIN_MOVE_DECADES || final > y[peak]! - MIN_MOVE_DECADES) continue;
      if (x[peak]! - x[a]! < MIN_RISE_DECADES || steps[a]! < MIN_START_STEP) continue;
      const bump = y[peak]! - y[a]!;
      const secondFall = y[peak]! - y[b]!;
      const va = 10 ** y[a]!, vp = 10 ** y[peak]!, vb = 10 ** y[b]!;
      out.push(makeFinding(this, {
        runIds: [run.id],
        score: clamp01(Math.min(bump, secondFall) / FULL_MOVE_DECADES),
        interval: { fromStep: steps[a]!, toStep: steps[b]! },
        evidence: {
          firstMinStep: steps[a]!, peakStep: steps[peak]!, secondMinStep: steps[b]!,
          firstMinLoss: round(va), peakLoss: round(vp), secondMinLoss: round(vb),
          bumpDecades: round(bump), secondFallDecades: round(secondFall),
        },
        explanation: `Test loss falls to ${fmt(va)} at step ${steps[a]!}, rises to ${fmt(vp)} at step ${steps[peak]!}, and falls again to ${fmt(vb)} by step ${steps[b]!}.`,
      }));
    }
    return out;
  },
};
