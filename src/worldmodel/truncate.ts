// Shorter runs for free. A run of S steps whose learning-rate schedule does not
// depend on the total (constant, warmup, step decay: everything but cosine)
// passes through exactly the states a run of S' < S steps reaches, with the same
// data order and the same updates, so the first part of its curve IS the curve of
// the shorter run. The world model trains on such truncated copies of its
// training runs: more runs for the same compute, and, with the original, a
// one-at-a-time steps sweep of three runs whose differences are known exactly
// (steps is the knob with the most sign pairs in the evaluation).
//
// The curves are on log-spaced fractions f_k = 10^(-2 + 2k/15) of the run, so
// truncating at f_(15-d) shifts the grid by d points: point j of the shorter run
// is point j - d of the original, and its first d points are unknown (NaN, masked
// in training). Of the events, divergence is known: a completed run's truncations
// completed too (diverged runs are not truncated). So is grokking where the run
// records accuracies: the detector (phenomena/detectors/grokking.ts) takes the
// first steps at which train and test accuracy reach ACC_THRESHOLD, both of which a
// prefix keeps, so a shorter run grokked iff the full run did and its test accuracy
// got there within the shorter run (read off the grid, so up to one grid point at
// the boundary). They show the model that a short run of a grokking config has
// often not grokked yet (on 3,084 runs this moved grokking AUC by under 0.01).
// Whether a shorter run shows the other phenomena would need the detectors on raw
// curves, so they are masked.

import { ACC_THRESHOLD } from "../phenomena/detectors/grokking.js";
import { isObj } from "./encode.js";
import { CURVE_METRICS, CURVE_POINTS, EVENT_KINDS, noEvents, unobservedCurve, type EventKind, type Example } from "./types.js";

/** Grid points dropped per truncation: S' = S x 10^(-2d/15), about 0.54 S and 0.22 S. */
export const TRUNCATION_SHIFTS: readonly number[] = [2, 5];
/** Truncations shorter than this are not made (the dataset's shortest runs have 10 steps). */
export const MIN_TRUNCATED_STEPS = 10;
/** Schedules whose learning rate at a step depends on the run's total steps. */
const TOTAL_DEPENDENT_SCHEDULES = new Set(["cosine"]);
/** A truncated copy, with which of its event labels are known (1) and which are masked (0), in EVENT_KINDS order. */
export interface TruncatedExample extends Example {
  eventsKnown: Uint8Array;
}

const knownMask = (known: readonly EventKind[]): Uint8Array => Uint8Array.from(EVENT_KINDS, (k) => (known.includes(k) ? 1 : 0));
const DIVERGENCE_KNOWN = knownMask(["diverged"]);
const GROKKING_KNOWN = knownMask(["diverged", "grokking"]);

/** Whether a curve has a finite value at any point. */
const recorded = (c: Float64Array): boolean => c.some(Number.isFinite);

/** The grokking label of a copy of `e` whose test accuracies are `copyTestAcc`, or null if it cannot be told (no accuracies). */
function truncatedGrokking(e: Example, copyTestAcc: Float64Array): 0 | 1 | null {
  if (!recorded(e.curves.train_acc) || !recorded(e.curves.test_acc)) return null;
  if (!e.events.grokking) return 0;
  return copyTestAcc.some((v) => v >= ACC_THRESHOLD) ? 1 : 0;
}

/** Whether the run's first part is a shorter run of the same config (see the header). */
export function truncatable(e: Example): boolean {
  if (e.fork || e.events.diverged) return false;
  const train = isObj(e.config) && isObj(e.config.train) ? e.config.train : null;
  if (!train) return false;
  const schedule = isObj(train.schedule) ? train.schedule.kind : "constant";
  return !TOTAL_DEPENDENT_SCHEDULES.has(String(schedule));
}

/** The truncated copies of a training run (none when it is not truncatable). */
export function truncatedExamples(e: Example, shifts: readonly number[] = TRUNCATION_SHIFTS): TruncatedExample[] {
  if (!truncatable(e)) return [];
  const out: TruncatedExample[] = [];
  const config = e.config as Record<string, unknown> & { train: Record<string, unknown> };
  for (const d of shifts) {
    const steps = Math.round(e.steps * 10 ** ((-2 * d) / (CURVE_POINTS - 1)));
    if (steps < MIN_TRUNCATED_STEPS || d <= 0 || d >= CURVE_POINTS) continue;
    const curves = {} as Example["curves"];
    for (const m of CURVE_METRICS) {
      const from = e.curves[m];
      const to = unobservedCurve();
      for (let j = d; j < CURVE_POINTS; j++) to[j] = from[j - d]!;
      curves[m] = to;
    }
    const events = noEvents();
    const grokked = truncatedGrokking(e, curves.test_acc);
    if (grokked !== null) events.grokking = grokked;
    out.push({
      runId: `${e.runId}~${steps}`,
      configId: `${e.configId}~${steps}`,
      family: e.family,
      config: { ...config, train: { ...config.train, steps } },
      steps,
      paramCount: e.paramCount,
      curves,
      events,
      eventsKnown: grokked === null ? DIVERGENCE_KNOWN : GROKKING_KNOWN,
      fork: null,
      sweepId: e.sweepId ?? null,
    });
  }
  return out;
}

/**
 * The truncated copies of training runs, and the pair-loss group of each run
 * with copies: a run and its copies form a steps sweep (a run already in a sweep
 * keeps that one as its group).
 */
export function truncatedCopies(train: readonly Example[], shifts: readonly number[] = TRUNCATION_SHIFTS): { copies: TruncatedExample[]; stepsGroup: Map<Example, string> } {
  const stepsGroup = new Map<Example, string>();
  const copies: TruncatedExample[] = [];
  for (const e of train) {
    const own = truncatedExamples(e, shifts);
    if (own.length === 0) continue;
    if (!e.sweepId) stepsGroup.set(e, `steps:${e.runId}`);
    for (const c of own) stepsGroup.set(c, `steps:${e.runId}`);
    copies.push(...own);
  }
  return { copies, stepsGroup };
}
