// edge-of-stability: the sharpness (top Hessian eigenvalue of the train loss)
// rises to the stability threshold of gradient descent, 2 / lr, and hovers
// there: sharpness * lr / 2 stays within [BAND_LOW, BAND_HIGH] for a stretch of
// at least MIN_STRETCH_DECADES of log-step and MIN_POINTS measurements. Needs a
// `sharpness` curve (recorded with log.sharpness) and the lr: the `lr` curve
// at the same steps, else a numeric `train.lr` or `lr` in the config.
// Strength: the longest stretch's length over FULL_STRETCH_DECADES.

import type { Detector, RunView } from "../detector.js";
import { makeFinding } from "../finding.js";
import { clamp01, fmt, logStep, round, series } from "../series.js";

/** sharpness within ~10% of 2/lr counts as at the edge */
export const BAND_LOW = 0.9;
export const BAND_HIGH = 1.1;
/** the stretch at the edge lasts at least this long (~3x in step) */
export const MIN_STRETCH_DECADES = 0.5;
/** and holds at least this many sharpness measurements */
export const MIN_POINTS = 3;
/** a stretch this long (~30x in step) scores 1 */
export const FULL_STRETCH_DECADES = 1.5;

const definition =
  `Sharpness * lr / 2 stays within [${BAND_LOW}, ${BAND_HIGH}] (sharpness within ~10% of 2/lr) for at least ${MIN_STRETCH_DECADES} decades ` +
  `of step and ${MIN_POINTS} measurements; score = stretch decades / ${FULL_STRETCH_DECADES}.`;

function configLr(config: unknown): number {
  const c = config as { lr?: unknown; train?: { lr?: unknown } } | null | undefined;
  const v = c?.train?.lr ?? c?.lr;
  return typeof v === "number" && v > 0 ? v : NaN;
}

function lrAt(run: RunView): (step: number) => number {
  const lr = series(run, "lr");
  const byStep = new Map<number, number>();
  for (let i = 0; i < lr.steps.length; i++) byStep.set(lr.steps[i]!, lr.values[i]!);
  const fallback = configLr(run.config);
  return (step) => byStep.get(step) ?? fallback;
}

export const edgeOfStability: Detector<"edge-of-stability"> = {
  kind: "edge-of-stability",
  version: 1,
  definition,
  detect(run) {
    const sharp = series(run, "sharpness");
    if (sharp.values.length < MIN_POINTS) return [];
    const lr = lrAt(run);
    const ratio = sharp.steps.map((s, i) => (sharp.values[i]! * lr(s)) / 2);
    let best: [number, number] | null = null;
    for (let i = 0; i < ratio.length; ) {
      const inBand = (r: number): boolean => r >= BAND_LOW && r <= BAND_HIGH;
      if (!inBand(ratio[i]!)) { i++; continue; }
      let j = i;
      while (j + 1 < ratio.length && inBand(ratio[j + 1]!)) j++;
      const len = logStep(sharp.steps[j]!) - logStep(sharp.steps[i]!);
      if (!best || len > logStep(sharp.steps[best[1]]!) - logStep(sharp.steps[best[0]]!)) best = [i, j];
      i = j + 1;
    }
    if (!best) return [];
    const [i, j] = best;
    const len = logStep(sharp.steps[j]!) - logStep(sharp.steps[i]!);
    if (len < MIN_STRETCH_DECADES || j - i + 1 < MIN_POINTS) return [];
    const stretch = ratio.slice(i, j + 1);
    const mean = stretch.reduce((a, b) => a + b, 0) / stretch.length;
    const from = sharp.steps[i]!, to = sharp.steps[j]!;
    return [makeFinding(this, {
      runIds: [run.id],
      score: clamp01(len / FULL_STRETCH_DECADES),
      interval: { fromStep: from, toStep: to },
      evidence: {
        initialRatio: round(ratio[0]!), meanRatio: round(mean), stretchDecades: round(len), points: j - i + 1,
        thresholdAtStart: round(2 / lr(from)),
      },
      explanation: `Sharpness stays within 10% of 2/lr (${fmt(2 / lr(from))} at step ${from}) from step ${from} to step ${to}.`,
    })];
  },
};
