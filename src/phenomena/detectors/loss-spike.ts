// loss-spike: a sharp, temporary rise of the train loss. The loss jumps above
// SPIKE_FACTOR times its running minimum and later recovers below the level it
// had just before the spike. A rise that never recovers is divergence, not a
// spike. Each spike is one finding, its interval from the first elevated
// evaluation to the first recovered one. A rise that takes longer than
// MAX_SPIKE_DECADES of log-step to recover is a change of regime, not a spike.
// Two things are not spikes (seen on real curves, see `toyworld repro`): a rise
// before the loss has made any progress (Adam's first steps often overshoot;
// that is an unstable start), and blips of a loss that is already near zero
// (an interpolating regression whose loss jumps from 1e-14 to 1e-3): the
// running minimum is floored at RELATIVE_FLOOR of the initial loss, so a spike
// must reach at least 2% of it.
// Strength: peak / pre-spike loss in decades, over FULL_SPIKE_DECADES.

import type { Detector } from "../detector.js";
import { makeFinding, type Finding } from "../finding.js";
import { clamp01, fmt, logLoss, logStep, round, series } from "../series.js";

/** a loss above this multiple of its running minimum is spiking (log10(2) ~ 0.3 decades) */
export const SPIKE_FACTOR = 2;
/** a spike of this many decades (100x) scores 1 */
export const FULL_SPIKE_DECADES = 2;
/** a spike recovers within this many decades of step from its start (~3x) */
export const MAX_SPIKE_DECADES = 0.5;
/** losses this small relative to the initial loss are noise: the running minimum is floored here */
export const RELATIVE_FLOOR = 1e-2;
/** rises count only once the loss has fallen below this fraction of its initial value */
export const PROGRESS_FRACTION = 0.9;

const definition =
  `Once train loss is below ${PROGRESS_FRACTION}x its initial value, it rises above ${SPIKE_FACTOR}x its running minimum ` +
  `(floored at ${RELATIVE_FLOOR}x the initial loss) and falls back below its pre-spike level within ${MAX_SPIKE_DECADES} decades of step; score = log10(peak / pre-spike loss) / ${FULL_SPIKE_DECADES}.`;

export const lossSpike: Detector<"loss-spike"> = {
  kind: "loss-spike",
  version: 2,
  definition,
  detect(run) {
    const { steps, values } = series(run, "train_loss");
    if (values.length < 3) return [];
    const floor = values[0]! * RELATIVE_FLOOR;
    const out: Finding[] = [];
    let runMin = values[0]!;
    let i = 1;
    while (i < values.length) {
      const v = values[i]!;
      if (runMin < PROGRESS_FRACTION * values[0]! && v > SPIKE_FACTOR * Math.max(runMin, floor)) {
        const pre = values[i - 1]!;
        let peak = i;
        let j = i;
        while (j < values.length && !(values[j]! < pre)) {
          if (values[j]! > values[peak]!) peak = j;
          j++;
        }
        if (j >= values.length) break; // never recovered: not a spike
        if (logStep(steps[j]!) - logStep(steps[i]!) > MAX_SPIKE_DECADES) { runMin = Math.min(runMin, values[j]!); i = j + 1; continue; }
        const size = logLoss(values[peak]!) - logLoss(pre);
        out.push(makeFinding(this, {
          runIds: [run.id],
          score: clamp01(size / FULL_SPIKE_DECADES),
          interval: { fromStep: steps[i]!, toStep: steps[j]! },
          evidence: { preLoss: round(pre), peakLoss: round(values[peak]!), peakStep: steps[peak]!, recoveredLoss: round(values[j]!), spikeDecades: round(size) },
          explanation: `Train loss jumps from ${fmt(pre)} to ${fmt(values[peak]!)} at step ${steps[peak]!} and is back below ${fmt(pre)} by step ${steps[j]!}.`,
        }));
        runMin = Math.min(runMin, values[j]!);
        i = j + 1;
        continue;
      }
      runMin = Math.min(runMin, v);
      i++;
    }
    return out;
  },
};
