// slow-learning: the train loss barely moves over the whole run: its final
// value (median of the last evaluations) is within MAX_FALL of the initial
// one. Diverged runs are left to the divergence detector.
// Strength: 1 when the loss did not fall at all, 0 at a fall of MAX_FALL.

import type { Detector } from "../detector.js";
import { makeFinding } from "../finding.js";
import { clamp01, fmt, round, series, tailMedian } from "../series.js";

/** a run whose train loss fell by less than this fraction of its initial value learned slowly */
export const MAX_FALL = 0.2;
/** at least this many evaluations are needed to judge */
export const MIN_POINTS = 4;
/** final evaluations whose median is "the end" */
export const TAIL_POINTS = 3;

const definition =
  `Train loss at the end (median of the last ${TAIL_POINTS} evaluations) is more than ${1 - MAX_FALL}x its initial value; ` +
  `score = 1 - fall / ${MAX_FALL}.`;

export const slowLearning: Detector<"slow-learning"> = {
  kind: "slow-learning",
  version: 1,
  definition,
  detect(run) {
    if (run.status === "diverged") return [];
    const { steps, values } = series(run, "train_loss");
    if (values.length < MIN_POINTS) return [];
    const initial = values[0]!;
    const final = tailMedian(values, TAIL_POINTS);
    if (!(initial > 0)) return [];
    const fall = 1 - final / initial;
    if (fall >= MAX_FALL) return [];
    const toStep = steps[steps.length - 1]!;
    return [makeFinding(this, {
      runIds: [run.id],
      score: clamp01(1 - fall / MAX_FALL),
      interval: { fromStep: steps[0]!, toStep },
      evidence: { initialLoss: round(initial), finalLoss: round(final), fall: round(fall) },
      explanation: `Train loss goes only from ${fmt(initial)} to ${fmt(final)} between step ${steps[0]!} and step ${toStep}.`,
    })];
  },
};
