// cliff: between two adjacent points of an axis the outcome flips while the
// axis value changes by a small step. A flip is one of: most runs diverge on
// one side and not on the other; the final test accuracy jumps by at least
// MIN_ACCURACY_JUMP; or the final test loss jumps by at least MIN_LOSS_JUMP_DECADES
// (10x) and by more than the spread across repeats. A small step is a ratio of
// at most MAX_STEP_RATIO between positive values, or a step no wider than
// GRID_STEP_TOLERANCE times the axis's median step (neighbours on the grid).
// The coordinate is the midpoint of the two values (geometric on a log axis).
// Strength: the largest of the divergence flip (difference of diverged
// fractions), accuracy jump / FULL_ACCURACY_JUMP and loss jump / FULL_LOSS_JUMP_DECADES.

import { makeFinding, type Finding } from "../finding.js";
import { clamp01, fmt } from "../series.js";
import type { SweepDetector } from "./detector.js";
import type { PointOutcome } from "./outcome.js";
import { axisOutcomes, beyondNoise, evidence, lossOf, MAX_DIVERGED_FRACTION, midpoint } from "./shape.js";
import { viewRunIds } from "./view.js";

export const MIN_ACCURACY_JUMP = 0.5;
export const MIN_LOSS_JUMP_DECADES = 1;
/** adjacent values at most this ratio apart are a small step */
export const MAX_STEP_RATIO = 3;
/** ...or a step at most this multiple of the axis's median step */
export const GRID_STEP_TOLERANCE = 1.5;
export const FULL_ACCURACY_JUMP = 0.9;
export const FULL_LOSS_JUMP_DECADES = 2;

const definition =
  `Adjacent axis points (ratio <= ${MAX_STEP_RATIO}x, or a step <= ${GRID_STEP_TOLERANCE}x the median step) where most runs ` +
  `diverge on one side only, or final test accuracy jumps by >= ${MIN_ACCURACY_JUMP}, or final test loss jumps by ` +
  `>= ${MIN_LOSS_JUMP_DECADES} decade beyond the spread across repeats; score = largest of the diverged-fraction change, ` +
  `accuracy jump / ${FULL_ACCURACY_JUMP}, loss jump in decades / ${FULL_LOSS_JUMP_DECADES}.`;

/** how far apart two adjacent values are, in the axis's own scale */
function stepSize(a: number, b: number, logAxis: boolean): number {
  return logAxis ? Math.log(b / a) : b - a;
}

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const divergedSide = (o: PointOutcome): boolean => o.divergedFraction >= MAX_DIVERGED_FRACTION;

function describe(o: PointOutcome): string {
  if (divergedSide(o)) return `${fmt(o.divergedFraction * 100)}% of runs diverge`;
  const acc = Number.isFinite(o.accuracy) ? `, test accuracy ${fmt(o.accuracy)}` : "";
  return `test loss ${fmt(lossOf(o))}${acc}`;
}

export const cliff: SweepDetector<"cliff"> = {
  kind: "cliff",
  version: 1,
  definition,
  detect(view) {
    const ax = axisOutcomes(view);
    const pts = ax.points;
    const steps = pts.slice(1).map((o, i) => stepSize(pts[i]!.value, o.value, ax.logAxis));
    const typicalStep = median(steps);
    const out: Finding[] = [];
    for (let i = 0; i + 1 < pts.length; i++) {
      const a = pts[i]!, b = pts[i + 1]!;
      const ratio = a.value > 0 ? b.value / a.value : Infinity;
      if (!(ratio <= MAX_STEP_RATIO || steps[i]! <= GRID_STEP_TOLERANCE * typicalStep)) continue;
      const divergenceFlip = divergedSide(a) !== divergedSide(b) ? Math.abs(a.divergedFraction - b.divergedFraction) : 0;
      const healthy = !divergedSide(a) && !divergedSide(b);
      const accJump = healthy ? Math.abs(b.accuracy - a.accuracy) : NaN;
      const lossJump = healthy ? Math.abs(b.logLoss - a.logLoss) : NaN;
      const accFlip = accJump >= MIN_ACCURACY_JUMP;
      const lossFlip = lossJump >= MIN_LOSS_JUMP_DECADES && beyondNoise(lossJump, a, b);
      if (divergenceFlip === 0 && !accFlip && !lossFlip) continue;
      const score = Math.max(divergenceFlip, accFlip ? accJump / FULL_ACCURACY_JUMP : 0, lossFlip ? lossJump / FULL_LOSS_JUMP_DECADES : 0);
      const what = divergenceFlip > 0 ? "divergence" : accFlip ? "test accuracy" : "test loss";
      const mid = midpoint(a.value, b.value, ax.logAxis);
      out.push(makeFinding(this, {
        runIds: viewRunIds(view),
        score: clamp01(score),
        interval: null,
        coordinate: { path: view.path, value: mid },
        evidence: evidence({
          leftValue: a.value, rightValue: b.value, stepRatio: ratio,
          leftDivergedFraction: a.divergedFraction, rightDivergedFraction: b.divergedFraction,
          leftTestLoss: divergedSide(a) ? NaN : lossOf(a), rightTestLoss: divergedSide(b) ? NaN : lossOf(b),
          leftTestAccuracy: divergedSide(a) ? NaN : a.accuracy, rightTestAccuracy: divergedSide(b) ? NaN : b.accuracy,
          accuracyJump: accJump, lossJumpDecades: lossJump,
        }),
        explanation:
          `Along ${view.path}, ${what} flips between ${fmt(a.value)} (${describe(a)}) and ${fmt(b.value)} (${describe(b)}).`,
      }));
    }
    return out;
  },
};
