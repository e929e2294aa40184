// plateau-drop (emergence): the train loss stays flat for a long stretch of
// log-step and then drops sharply. Flat: its log10 stays within FLAT_TOL_DECADES
// over at least MIN_PLATEAU_DECADES of log10(1 + step), starting no earlier
// than MIN_START_STEP (the first few steps of any run look flat on a log axis).
// Sharp drop: within DROP_WINDOW_DECADES of log-step after the plateau, the
// loss falls at least MIN_DROP_DECADES below the plateau's level.
// Strength: geometric mean of plateau length and drop size, each over its full mark.

import type { Detector } from "../detector.js";
import { makeFinding, type Finding } from "../finding.js";
import { clamp01, fmt, logLoss, logStep, median3, round, series } from "../series.js";

/** a plateau's log10(loss) range stays within this (0.1 decades ~ 26%) */
export const FLAT_TOL_DECADES = 0.1;
/** a plateau lasts at least this long in decades of step (10x) */
export const MIN_PLATEAU_DECADES = 1;
/** plateaus start no earlier than this step */
export const MIN_START_STEP = 10;
/** the drop happens within this many decades of step after the plateau (~3x) */
export const DROP_WINDOW_DECADES = 0.5;
/** the drop is at least this deep (0.5 decades ~ 3x) */
export const MIN_DROP_DECADES = 0.5;
/** plateau length and drop depth that score 1 */
export const FULL_PLATEAU_DECADES = 2;
export const FULL_DROP_DECADES = 1.5;

const definition =
  `Train loss stays within ${FLAT_TOL_DECADES} decades for at least ${MIN_PLATEAU_DECADES} decade(s) of step (from step >= ${MIN_START_STEP}), ` +
  `then falls at least ${MIN_DROP_DECADES} decades below that level within ${DROP_WINDOW_DECADES} decades of step.`;

export const plateauDrop: Detector<"plateau-drop"> = {
  kind: "plateau-drop",
  version: 1,
  definition,
  detect(run) {
    const s = series(run, "train_loss");
    const steps = s.steps;
    const y = median3(s.values.map(logLoss));
    const x = steps.map(logStep);
    const out: Finding[] = [];
    let i = 0;
    while (i < y.length) {
      if (steps[i]! < MIN_START_STEP) { i++; continue; }
      let lo = y[i]!, hi = y[i]!, j = i;
      while (j + 1 < y.length) {
        const v = y[j + 1]!;
        if (Math.max(hi, v) - Math.min(lo, v) > FLAT_TOL_DECADES) break;
        lo = Math.min(lo, v); hi = Math.max(hi, v); j++;
      }
      const length = x[j]! - x[i]!;
      if (length < MIN_PLATEAU_DECADES) { i++; continue; }
      let level = 0;
      for (let k = i; k <= j; k++) level += y[k]!;
      level /= j - i + 1;
      let bottom = -1;
      for (let k = j + 1; k < y.length && x[k]! - x[j]! <= DROP_WINDOW_DECADES; k++) {
        if (bottom < 0 || y[k]! < y[bottom]!) bottom = k;
      }
      const drop = bottom < 0 ? 0 : level - y[bottom]!;
      if (drop < MIN_DROP_DECADES) { i = j + 1; continue; }
      const score = Math.sqrt(clamp01(length / FULL_PLATEAU_DECADES) * clamp01(drop / FULL_DROP_DECADES));
      out.push(makeFinding(this, {
        runIds: [run.id],
        score,
        interval: { fromStep: steps[i]!, toStep: steps[bottom]! },
        evidence: {
          plateauFrom: steps[i]!, plateauTo: steps[j]!, plateauLoss: round(10 ** level),
          lossAfterDrop: round(10 ** y[bottom]!), plateauDecades: round(length), dropDecades: round(drop),
        },
        explanation: `Train loss sits near ${fmt(10 ** level)} from step ${steps[i]!} to ${steps[j]!}, then drops to ${fmt(10 ** y[bottom]!)} by step ${steps[bottom]!}.`,
      }));
      i = bottom + 1;
    }
    return out;
  },
};
