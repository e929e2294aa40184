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
// in training). Of the events only divergence is known: a completed run's
// truncations completed too (diverged runs are not truncated); whether a shorter
// run shows a phenomenon would need the detectors on raw curves, so the other
// events are masked.

import { isObj } from "./encode.js";
import { CURVE_METRICS, CURVE_POINTS, EVENT_KINDS, type Example } from "./types.js";

/** Grid points dropped per truncation: S' = S x 10^(-2d/15), about 0.54 S and 0.22 S. */
export const TRUNCATION_SHIFTS: readonly number[] = [2, 5];
/** Truncations shorter than this are not made (the dataset's shortest runs have 10 steps). */
export const MIN_TRUNCATED_STEPS = 10;
/** Schedules whose learning rate at a step depends on the run's total steps. */
const TOTAL_DEPENDENT_SCHEDULES = new Set(["cosine"]);
/** Which events a truncated run's label is known for (the rest are masked). */
export const TRUNCATED_EVENTS_KNOWN: Uint8Array = Uint8Array.from(EVENT_KINDS, (k) => (k === "diverged" ? 1 : 0));


/** Whether the run's first part is a shorter run of the same config (see the header). */
export function truncatable(e: Example): boolean {
  if (e.fork || e.events.diverged) return false;
  const train = isObj(e.config) && isObj(e.config.train) ? e.config.train : null;
  if (!train) return false;
  const schedule = isObj(train.schedule) ? train.schedule.kind : "constant";
  return !TOTAL_DEPENDENT_SCHEDULES.has(String(schedule));
}

/** The truncated copies of a training run (none when it is not truncatable). */
export function truncatedExamples(e: Example, shifts: readonly number[] = TRUNCATION_SHIFTS): Example[] {
  if (!truncatable(e)) return [];
  const out: Example[] = [];
  const config = e.config as Record<string, unknown> & { train: Record<string, unknown> };
  for (const d of shifts) {
    const steps = Math.round(e.steps * 10 ** ((-2 * d) / (CURVE_POINTS - 1)));
    if (steps < MIN_TRUNCATED_STEPS || d <= 0 || d >= CURVE_POINTS) continue;
    const curves = {} as Example["curves"];
    for (const m of CURVE_METRICS) {
      const from = e.curves[m];
      const to = new Float64Array(CURVE_POINTS).fill(NaN);
      for (let j = d; j < CURVE_POINTS; j++) to[j] = from[j - d]!;
      curves[m] = to;
    }
    out.push({
      runId: `${e.runId}~${steps}`,
      configId: `${e.configId}~${steps}`,
      family: e.family,
      config: { ...config, train: { ...config.train, steps } },
      steps,
      paramCount: e.paramCount,
      curves,
      events: Object.fromEntries(EVENT_KINDS.map((k) => [k, 0])) as Example["events"],
      fork: null,
      sweepId: e.sweepId ?? null,
    });
  }
  return out;
}
