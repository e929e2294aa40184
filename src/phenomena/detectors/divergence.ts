// divergence: training blew up. Either the run is marked diverged (the
// trainer stopped it at `divergedAt`), or its train loss became non-finite,
// or it exploded: rose to EXPLODE_FACTOR times its running minimum (of the
// 3-point median, so one unusually low evaluation does not set it) and never
// came back within RECOVERY_FACTOR of that minimum (on real curves, Adam runs
// blow up to 30 from 0.05 and restart from near chance, ending 20x above
// their best: progress lost, not a spike). The minimum is floored at
// RELATIVE_FLOOR of the initial loss, so an explosion returns the loss at least
// to its initial level: an interpolating regression whose loss jumps from 1e-10
// to 1e-6 has not blown up. The interval is the divergence step.
// Strength: 1 for a recorded or non-finite divergence; for an explosion, the
// rise in decades over twice the explosion threshold.

import type { Detector } from "../detector.js";
import { makeFinding } from "../finding.js";
import { clamp01, fmt, logLoss, median3, rawSeries, round, tailMedian } from "../series.js";

/** a loss this many times its running minimum (and still there at the end) has exploded */
export const EXPLODE_FACTOR = 100;
/** an explosion whose loss ends within this factor of the minimum before it has recovered (a spike) */
export const RECOVERY_FACTOR = 10;
/** the running minimum is floored at this fraction of the initial loss (100x of it is the initial loss) */
export const RELATIVE_FLOOR = 1e-2;

const definition =
  `The run is marked diverged, or its train loss becomes non-finite, or it rises to ${EXPLODE_FACTOR}x its running minimum ` +
  `(of the 3-point median, floored at ${RELATIVE_FLOOR}x the initial loss) ` +
  `and ends (median of the last 3 evaluations) more than ${RECOVERY_FACTOR}x above that minimum; the interval is the divergence step.`;

export const divergence: Detector<"divergence"> = {
  kind: "divergence",
  version: 3,
  definition,
  detect(run) {
    const loss = rawSeries(run, "train_loss");
    const lastStep = loss.steps.length > 0 ? loss.steps[loss.steps.length - 1]! : 0;
    if (run.status === "diverged") {
      const step = run.divergedAt ?? lastStep;
      return [makeFinding(this, {
        runIds: [run.id], score: 1, interval: { fromStep: step, toStep: step },
        evidence: { divergedAt: step, recorded: 1 },
        explanation: `The run diverged at step ${step}: the trainer stopped it there.`,
      })];
    }
    // non-finite: Infinity anywhere, or NaN after a finite value (a recorded loss is never undefined)
    let seenFinite = false;
    for (let i = 0; i < loss.values.length; i++) {
      const v = loss.values[i]!;
      if (Number.isFinite(v)) { seenFinite = true; continue; }
      if (v === Infinity || v === -Infinity || seenFinite) {
        const step = loss.steps[i]!;
        return [makeFinding(this, {
          runIds: [run.id], score: 1, interval: { fromStep: step, toStep: step },
          evidence: { divergedAt: step, recorded: 0, nonFinite: 1 },
          explanation: `The train loss becomes non-finite (${v}) at step ${step}.`,
        })];
      }
    }
    // explosion: the first point at EXPLODE_FACTOR x the running minimum, if the loss does not recover;
    // the minimum is taken over the 3-point median, so one lucky evaluation does not set the bar
    const finite = loss.values.map((v, i) => [v, i] as const).filter(([v]) => Number.isFinite(v));
    const smooth = median3(finite.map(([v]) => v));
    const floor = finite.length > 0 ? RELATIVE_FLOOR * finite[0]![0] : 0;
    let runMin = Infinity;
    let at = -1;
    let minBefore = NaN;
    finite.forEach(([v, i], k) => {
      if (at < 0 && runMin < Infinity && v >= EXPLODE_FACTOR * runMin) { at = i; minBefore = runMin; }
      runMin = Math.max(floor, Math.min(runMin, smooth[k]!));
    });
    if (at < 0) return [];
    const last = tailMedian(loss.values.filter(Number.isFinite), 3);
    if (!(last > RECOVERY_FACTOR * minBefore)) return [];
    const step = loss.steps[at]!;
    const rise = logLoss(last) - logLoss(minBefore);
    return [makeFinding(this, {
      runIds: [run.id],
      score: clamp01(rise / (2 * Math.log10(EXPLODE_FACTOR))),
      interval: { fromStep: step, toStep: step },
      evidence: { divergedAt: step, recorded: 0, minLossBefore: round(minBefore), finalLoss: round(last), riseDecades: round(rise) },
      explanation: `The train loss explodes at step ${step}, from a minimum of ${fmt(minBefore)}, and is still ${fmt(last)} at the end.`,
    })];
  },
};
