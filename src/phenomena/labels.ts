// Scoring detectors against labelled runs: for each phenomenon kind, how many
// labelled-present runs a detector found (recall) and how many of its
// detections were labelled present (precision). The labels come from recipes
// (universe/recipes), which list the kinds by name because the universe may not
// import this layer; the assertions below make a kind added on one side only a
// compile error.

import type { RunPhenomenon, SweepPhenomenon } from "../universe/recipes/recipe.js";
import type { DetectorKind } from "./detector.js";
import type { SweepDetectorKind } from "./sweep/detector.js";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const runKindsMatch: Same<RunPhenomenon, DetectorKind> = true;
const sweepKindsMatch: Same<SweepPhenomenon, SweepDetectorKind> = true;
void runKindsMatch;
void sweepKindsMatch;

/** One labelled unit (a run or a sweep): expected presence per kind (absent: not judged) and the kinds found. */
export interface LabelledOutcome<K extends string = string> {
  expected: { readonly [P in K]?: boolean };
  found: readonly string[];
}

export interface KindScore<K extends string = string> {
  kind: K;
  /** labelled present and found */
  tp: number;
  /** labelled absent but found */
  fp: number;
  /** labelled present but not found */
  fn: number;
  /** labelled absent and not found */
  tn: number;
  /** tp / (tp + fp); null when the detector found nothing */
  precision: number | null;
  /** tp / (tp + fn); null when no unit is labelled present */
  recall: number | null;
}

/** Precision and recall per kind over the units that judge that kind. */
export function precisionRecall<K extends string>(kinds: readonly K[], outcomes: readonly LabelledOutcome<K>[]): KindScore<K>[] {
  return kinds.map((kind) => {
    const s = { tp: 0, fp: 0, fn: 0, tn: 0 };
    for (const o of outcomes) {
      const want = o.expected[kind];
      if (want === undefined) continue;
      const got = o.found.includes(kind);
      if (want && got) s.tp++;
      else if (!want && got) s.fp++;
      else if (want && !got) s.fn++;
      else s.tn++;
    }
    return {
      kind, ...s,
      precision: s.tp + s.fp === 0 ? null : s.tp / (s.tp + s.fp),
      recall: s.tp + s.fn === 0 ? null : s.tp / (s.tp + s.fn),
    };
  });
}

/** Kinds a unit was labelled with but the detectors missed, and kinds found that were labelled absent. */
export function mismatches<K extends string>(kinds: readonly K[], o: LabelledOutcome<K>): { missed: K[]; unexpected: K[] } {
  return {
    missed: kinds.filter((k) => o.expected[k] === true && !o.found.includes(k)),
    unexpected: kinds.filter((k) => o.expected[k] === false && o.found.includes(k)),
  };
}
