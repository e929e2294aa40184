// divergence: training blew up. Either the run is marked diverged (the
// trainer stopped it at `divergedAt`), or its train loss became non-finite,
// or it exploded: rose to EXPLODE_FACTOR times its running minimum and ended
// there. The interval is the divergence step.
// Strength: 1 for a recorded or non-finite divergence; for an explosion, the
// rise in decades over twice the explosion threshold.

import type { Detector } from "../detector.js";
import { makeFinding } from "../finding.js";
import { clamp01, fmt, logLoss, rawSeries, round } from "../series.js";

/** a loss this many times its running minimum (and still there at the end) has exploded */
export const EXPLODE_FACTOR = 100;

const definition =
  `The run is marked diverged, or its train loss becomes non-finite, or it rises to ${EXPLODE_FACTOR}x its running minimum ` +
  `and ends there; the interval is the divergence step.`;

export const divergence: Detector<"divergence"> = {
  kind: "divergence",
  version: 1,
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
    // explosion: the first point at EXPLODE_FACTOR x the running minimum, if the loss ends that high
    let runMin = Infinity;
    let at = -1;
    let minBefore = NaN;
    for (let i = 0; i < loss.values.length; i++) {
      const v = loss.values[i]!;
      if (!Number.isFinite(v)) continue;
      if (at < 0 && runMin < Infinity && v >= EXPLODE_FACTOR * runMin) { at = i; minBefore = runMin; }
      runMin = Math.min(runMin, v);
    }
    if (at < 0) return [];
    const last = loss.values[loss.values.length - 1]!;
    if (!(last >= EXPLODE_FACTOR * minBefore)) return [];
    const step = loss.steps[at]!;
    const rise = logLoss(last) - logLoss(minBefore);
    return [makeFinding(this, {
      runIds: [run.id],
      score: clamp01(rise / (2 * Math.log10(EXPLODE_FACTOR))),
      interval: { fromStep: step, toStep: step },
      evidence: { divergedAt: step, recorded: 0, minLossBefore: round(minBefore), finalLoss: round(last), riseDecades: round(rise) },
      explanation: `The train loss explodes at step ${step}, from a minimum of ${fmt(minBefore)} to ${fmt(last)} at the end.`,
    })];
  },
};
